import type { RuleMeta } from '../types';
import type { DockerfileRule } from './rule';
import type { YamlRule } from './yamlRule';
import { STOP301, STOP402 } from './STOP301';
import { STOP302 } from './STOP302';
import { STOP303 } from './STOP303';
import { STOP304 } from './STOP304';
import { STOP305 } from './STOP305';
import { STOP306 } from './STOP306';
import { STOP307 } from './STOP307';
import { STOP308 } from './STOP308';
import { STOP309 } from './STOP309';
import { STOP310 } from './STOP310';
import { STOP401 } from './STOP401';
import { STOP403 } from './STOP403';
import { STOP404 } from './STOP404';
import { STOP405 } from './STOP405';
import { STOP406 } from './STOP406';
import { STOP407 } from './STOP407';
import { STOP408 } from './STOP408';
import { STOP101 } from './STOP101';
import { STOP102 } from './STOP102';
import { STOP103 } from './STOP103';
import { STOP104 } from './STOP104';
import { STOP105 } from './STOP105';
import { STOP106 } from './STOP106';
import { STOP107 } from './STOP107';
import { STOP108 } from './STOP108';
import { STOP109 } from './STOP109';
import { STOP110 } from './STOP110';
import { STOP111 } from './STOP111';
import { STOP201 } from './STOP201';
import { STOP202 } from './STOP202';
import { STOP203 } from './STOP203';
import { STOP204 } from './STOP204';
import { STOP205 } from './STOP205';
import { STOP206 } from './STOP206';
import { STOP207 } from './STOP207';
import { STOP208 } from './STOP208';
import { STOP501, STOP501_COMPOSE } from './STOP501';

export const DOCKERFILE_RULES: DockerfileRule[] = [STOP101, STOP102, STOP103, STOP104, STOP105, STOP106, STOP107, STOP108, STOP109, STOP110, STOP111,
  STOP201, STOP202, STOP203, STOP204, STOP205, STOP206, STOP207, STOP208, STOP501];

export const YAML_RULES: YamlRule[] = [STOP301, STOP302, STOP303, STOP304, STOP305, STOP306, STOP307, STOP308, STOP309, STOP310,
  STOP401, STOP402, STOP403, STOP404, STOP405, STOP406, STOP407, STOP408, STOP501_COMPOSE];

/** Chain rules that also apply to processes written in a manifest or Compose file. */
export const SHARED_CHAIN_RULES: DockerfileRule[] = [STOP102, STOP105, STOP106, STOP107, STOP109, STOP110, STOP501];

export const ALL_RULES: RuleMeta[] = [...new Set([...DOCKERFILE_RULES.map((r) => r.meta), ...YAML_RULES.map((r) => r.meta)])]
  .sort((a, b) => (a.id < b.id ? -1 : 1));

export function ruleMeta(id: string): RuleMeta | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
