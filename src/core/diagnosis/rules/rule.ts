// A finding rule reads the facts and names a cause. The pids a rule's findings
// name are "explained" by them; later rules see who is already explained and
// leave those alone, so each stuck process is explained by its first cause.
import type { Facts } from '../facts.js';
import type { Finding } from '../types.js';

export type Rule = (facts: Facts, explained: ReadonlyMap<number, string>) => Finding[];
