// Reads back the JUnit XML a soak writes, as a CI system would: its
// testcases, and whether every character and attribute is valid XML 1.0.

export interface ReadCase {
  name: string;
  result: { kind: 'failure' | 'error'; type: string; message: string; body: string } | null;
  systemOut: string;
}

const unescape = (s: string) =>
  s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export function junitCases(xml: string): ReadCase[] {
  return [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map(([, name, inner]) => {
    const r = /<(failure|error) type="([^"]*)" message="([^"]*)">([\s\S]*?)<\/\1>/.exec(inner!);
    const out = /<system-out>([\s\S]*?)<\/system-out>/.exec(inner!);
    return {
      name: unescape(name!),
      result: r ? { kind: r[1] as 'failure' | 'error', type: unescape(r[2]!), message: unescape(r[3]!), body: unescape(r[4]!) } : null,
      systemOut: out ? unescape(out[1]!) : '',
    };
  });
}

/** Characters XML 1.0 forbids, and attribute values holding what must be escaped: the reasons a parser would refuse the file. */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u.exec(xml);
  if (bad) problems.push(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${bad.index}`);
  for (const tag of xml.matchAll(/<[^!?/][^>]*>/g)) {
    const rest = tag[0].replace(/^<[\w-]+/, '').replace(/\/?>$/, '');
    if (!/^(\s+[\w-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|#\d+);[^"<&]*)*")*\s*$/.test(rest)) problems.push(`attributes of ${tag[0].slice(0, 60)}`);
  }
  for (const text of xml.split(/<[^>]*>/)) if (/&(?!(?:amp|lt|gt|quot|#\d+);)/.test(text)) problems.push(`a bare & in ${text.slice(0, 60)}`);
  return problems;
}
