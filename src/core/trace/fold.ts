// Folding a timeline's tracks into rows a person can take in at a glance:
// tracks that did the same thing and ended the same way — the same role,
// state and finding, the same operations completed, stuck in the same kind
// of wait — become one row ("slave 2–11, 13–50 (48)"), drawn with every
// member's bars on it and opened on request. Timing is not part of "the same":
// 48 slaves that blocked a few microseconds apart are one story.
import { groupLabel } from '../report/labels.js';
import type { Span, Track } from './timeline.js';

/** Fewer alike tracks than this stay rows of their own. */
export const MIN_FOLD = 3;

export interface Row {
  /** "slave 2–11, 13–50" for a folded row, the track's own label otherwise. */
  label: string;
  /** The tracks drawn on this row (one, or the folded members in track order). */
  tracks: Track[];
  folded: boolean;
}

/** A span without its operation number: "take #3" and "take #7" are the same kind of thing. */
const spanKind = (s: Span) => `${s.kind}:${s.name.replace(/\s#\d+$/, '')}${s.open ? ':open' : ''}`;

/** What makes two tracks alike: everything a person compares but time. */
export function likeness(t: Track): string {
  return JSON.stringify([
    t.role ?? 'thread',
    t.state,
    t.finding,
    t.stuck,
    t.spans.filter((s) => s.kind === 'op' && !s.open).length,
    [...new Set(t.spans.filter((s) => s.open).map(spanKind))].sort(),
    t.instants.filter((i) => i.scope === 'process').map((i) => i.name),
  ]);
}

function rowLabel(tracks: Track[]): string {
  if (tracks.every((t) => t.role !== undefined && t.id !== undefined)) return groupLabel(tracks as { role: string; id: number }[]);
  return `${tracks[0]!.label} … ${tracks.at(-1)!.label}`;
}

/** Rows in track order: each folded row stands where its first member was. */
export function foldTracks(tracks: Track[], minFold = MIN_FOLD): Row[] {
  const keys = tracks.map(likeness);
  const groups = new Map<string, Track[]>();
  tracks.forEach((t, i) => {
    const members = groups.get(keys[i]!);
    if (members) members.push(t);
    else groups.set(keys[i]!, [t]);
  });
  const rows: Row[] = [];
  const placed = new Set<string>();
  for (const [i, t] of tracks.entries()) {
    const k = keys[i]!;
    const members = groups.get(k)!;
    if (members.length < minFold) rows.push({ label: t.label, tracks: [t], folded: false });
    else if (!placed.has(k)) {
      placed.add(k);
      rows.push({ label: rowLabel(members), tracks: members, folded: true });
    }
  }
  return rows;
}
