// errorf(fmt, args...) and warnf(fmt, args...) (bpftrace 0.24+): printf's formatting, printed on
// stderr as an ERROR or WARNING at the call's place in the script, when the event is handled.
// Neither stops the script; --no-warnings silences warnf.

import { formattedTextFunction } from './formatted-event';

const message = (text: string) => text.replace(/\n$/, '');

export const errorf = formattedTextFunction('errorf', (text, rt, call) => rt.diagnostic('ERROR', message(text), call.span));
export const warnf = formattedTextFunction('warnf', (text, rt, call) => rt.diagnostic('WARNING', message(text), call.span));
