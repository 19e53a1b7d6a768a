// dockerfile-ast works out an instruction's arguments afresh on every call: its own parser asks
// several times per instruction while building it (a JSON-form instruction's constructor alone asks
// four or five times: for its content, its range, its flags, its JSON strings), and every later
// getArguments(), getArgumentsContent(), getFlags() asks again, each time re-scanning the text and
// turning offsets into positions. Parsed instructions never change, so the first answer is kept on
// the instruction. Callers get a copy of the list: ModifiableInstruction.getArguments() shifts its
// flags off the list it is given. This took about a fifth off a Dockerfile's analysis while editing.
import { Instruction } from 'dockerfile-ast';

const RAW = Symbol('stopcheck.rawArguments');
const INSTALLED = Symbol('stopcheck.rawArgumentsMemo');
type Raw = ReturnType<Instruction['getArguments']>;
interface WithMemo { [RAW]?: Raw }

const proto = Instruction.prototype as unknown as { getRawArguments(this: WithMemo): Raw; [INSTALLED]?: true };

/** The unmemoised method (tests compare against it). */
export const computeRawArguments: (ins: Instruction) => Raw = ((original) => (ins: Instruction) => original.call(ins as unknown as WithMemo))(proto.getRawArguments);

if (!proto[INSTALLED]) {
  const original = proto.getRawArguments;
  proto.getRawArguments = function getRawArguments(this: WithMemo): Raw {
    let raw = this[RAW];
    if (!raw) {
      raw = original.call(this);
      this[RAW] = raw;
    }
    return raw.slice();
  };
  proto[INSTALLED] = true;
}

export const argumentsMemoised = (): boolean => proto[INSTALLED] === true;
