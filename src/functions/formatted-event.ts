// cat(fmt, args...) and system(fmt, args...) are alike but for what they do with their text: the
// format is checked at compile time as printf's is, the arguments travel in an event record, and
// user space formats them, then acts on the text.

import type { Call, Span } from '../ast';
import { compilePrintf, checkPrintf } from '../format/printf';
import { none, type Type, type Value } from '../../common/types';
import { decodeRecordArgs, emitRecord, layoutRecord, type RecordLayout } from './event-record';
import { storageType } from './storage';
import type { CheckContext, EmitContext, EventData, FunctionDef, RuntimeServices } from './types';

/**
 * A function whose formatted text `act` uses in user space when the event arrives. `allowed`, when
 * given, is asked first at compile time (system() needs --unsafe).
 */
export function formattedTextFunction(
  name: string,
  act: (text: string, rt: RuntimeServices, call: FormattedData) => void,
  allowed?: (ctx: CheckContext, call: Call) => boolean,
  /** Settings of the compile the handler needs at run time, kept in the event's data. */
  settings?: (ctx: CheckContext) => Record<string, unknown>,
): FunctionDef {
  return {
    name,
    check(ctx, call) {
      if (allowed && !allowed(ctx, call)) return none;
      const data = checkFormatted(ctx, call);
      if (data) ctx.addEvent(call, name, settings ? { ...data, ...settings(ctx) } : data);
      return none;
    },
    emit: emitFormatted,
    event: {
      handle(data, view, off, _len, rt) {
        act(formattedText(data, view, off, rt), rt, data as FormattedData);
      },
    },
  };
}

export interface FormattedData {
  format: string;
  layout: RecordLayout;
  /** Where the call is, for messages about the script (errorf, warnf). */
  span: Span;
  [k: string]: unknown;
}

function checkFormatted(ctx: CheckContext, call: Call): FormattedData | null {
  const [fmt, ...rest] = call.args;
  if (!fmt || fmt.kind !== 'StrLit') {
    ctx.error(`${call.name}() expects a string literal as its first argument`, fmt ?? call);
    return null;
  }
  const types: Type[] = rest.map((a) => storageType(ctx.typeOf(a)));
  const problem = types.some((t) => t.kind === 'none') ? null : checkPrintf(fmt.value, types, call.name);
  if (problem) ctx.error(problem.message, problem.argument !== null && rest[problem.argument] ? rest[problem.argument] : fmt);
  return { format: fmt.value, layout: layoutRecord(types), span: call.span };
}

function emitFormatted(ctx: EmitContext, call: Call) {
  const rest = call.args.slice(1);
  emitRecord(ctx, call, layoutRecord(rest.map((a) => storageType(ctx.typeOf(a)))), rest.map((a) => ctx.emit(a)));
  return { type: none, v: ctx.constInt(0) };
}

const compiled = new WeakMap<object, (args: readonly Value[]) => string>();

/** The text of the event's format and arguments. */
function formattedText(data: EventData, view: DataView, off: number, rt: RuntimeServices): string {
  const d = data as FormattedData;
  let format = compiled.get(d);
  if (!format) compiled.set(d, (format = compilePrintf(d.format, d.layout.args.map((a) => a.type))));
  return format(decodeRecordArgs(d.layout, view, off, rt));
}
