import type { RuleMeta } from '../types';
import type { DockerfileRule } from './rule';
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

export const DOCKERFILE_RULES: DockerfileRule[] = [STOP101, STOP102, STOP103, STOP104, STOP105, STOP106, STOP107, STOP108, STOP109, STOP110, STOP111,
  STOP201, STOP202, STOP203, STOP204, STOP205, STOP206, STOP207, STOP208];

export const ALL_RULES: RuleMeta[] = [...DOCKERFILE_RULES.map((r) => r.meta)];

export function ruleMeta(id: string): RuleMeta | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
