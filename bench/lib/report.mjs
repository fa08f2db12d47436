// The ratio table: printed to the terminal and written to bench/RESULTS.md (one section
// per environment, so a --browser run keeps the Node section and the other way round).
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function fmtRate(v, unit) {
  if (!Number.isFinite(v)) return "-";
  const digits = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  if (unit === "MB/s") return `${digits(v)} MB/s`;
  const u = unit.replace("/s", "");
  if (v >= 1e6) return `${digits(v / 1e6)} M ${u}/s`;
  if (v >= 1e3) return `${digits(v / 1e3)} k ${u}/s`;
  return `${digits(v)} ${u}/s`;
}

const x = (r) => (r >= 10 ? r.toFixed(1) : r.toFixed(2)) + "x";

/** One line per (row, peer), the subject's rate beside each; targets judged. */
export function ratioLines(results) {
  const lines = [];
  for (const row of results) {
    const subject = row.peers.find((p) => p.subject);
    for (const p of row.peers) {
      if (p.subject) continue;
      const ratio = subject.rate / p.rate;
      const target = row.targets.find((t) => t.vs === p.name);
      lines.push({
        row: row.id,
        peer: p.name,
        peerRate: fmtRate(p.rate, row.unit),
        subjectRate: fmtRate(subject.rate, row.unit),
        ratio: x(ratio),
        target: target ? `≥ ${target.min}x` : p.limit ? "(limit)" : "",
        verdict: target ? verdict(ratio, target.min) : "",
      });
    }
    if (row.native) {
      const target = row.targets.find((t) => t.vs === "native");
      const floor = row.targets.find((t) => t.nativeRate);
      if (row.native.error) {
        lines.push({ row: row.id, peer: "native (cargo bench)", peerRate: "error", subjectRate: fmtRate(subject.rate, row.unit), ratio: "-", target: "", verdict: row.native.error });
      } else {
        const ratio = subject.rate / row.native.rate;
        lines.push({
          row: row.id,
          peer: "native Rust, same core (cargo bench)",
          peerRate: fmtRate(row.native.rate, row.unit),
          subjectRate: fmtRate(subject.rate, row.unit),
          ratio: `${x(ratio)} (native is ${x(1 / ratio)})`,
          target: target ? `native ≤ ${x(1 / target.min)}` : floor ? `native ≥ ${fmtRate(floor.nativeRate, row.unit)}` : "(upper bound)",
          verdict: target ? verdict(ratio, target.min) : floor ? verdict(row.native.rate, floor.nativeRate) : "",
        });
      }
    }
  }
  return lines;
}

function verdict(ratio, min) {
  return ratio >= min ? "met" : `MISSED by ${x(min / ratio)}`;
}

export function markdownTable(headers, rows) {
  const esc = (s) => String(s).replaceAll("|", "\\|");
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function printTable(headers, rows) {
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => String(r[i]).length))));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** Replaces this environment's section of RESULTS.md, keeping the other's. */
export function writeSection(file, env, body) {
  const start = `<!-- ${env}:start -->`;
  const end = `<!-- ${env}:end -->`;
  let text = existsSync(file)
    ? readFileSync(file, "utf8")
    : "# wsinspect benchmarks\n\nWritten by `npm run bench` (Node) and `npm run bench -- --browser` (headless Chromium); do not edit by hand.\nRatios are what matter: absolute rates drift on shared machines.\n\n<!-- node:start -->\n<!-- node:end -->\n\n<!-- browser:start -->\n<!-- browser:end -->\n";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const section = `${start}\n${body.trim()}\n${end}`;
  text = a >= 0 && b > a ? text.slice(0, a) + section + text.slice(b + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
