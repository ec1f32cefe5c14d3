// package_gzip_kib: the gzip size of everything the npm package ships, against the size budget.
import { BUDGET_KIB, measurePackage } from '../scripts/size.mjs';

export async function run() {
  const { totalGzipKib } = measurePackage();
  return [{
    name: 'package_gzip_kib',
    value: totalGzipKib,
    unit: 'KiB',
    baseline: `budget_${BUDGET_KIB}_kib`,
    ratio: totalGzipKib / BUDGET_KIB,
  }];
}
