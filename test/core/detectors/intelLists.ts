/**
 * The real lists for the intel detector tests: the app's shipped snapshot (built from
 * ../shared/data by scripts/buildIntelSnapshot.ts), and addresses that are clearly benign.
 */
import { parseFeed } from '../../../shared/core/intel';
import { IPSUM_FULL, TOR_2024, TOR_2026, dataText } from '../intel/support';

/** Documentation, private, loopback, link-local and shared ranges, and big public DNS resolvers. */
export const BENIGN = [
  '192.0.2.1',
  '198.51.100.23',
  '203.0.113.200',
  '2001:db8::1',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.10',
  '127.0.0.1',
  '100.64.0.1',
  '169.254.1.1',
  'fd00::1',
  'fe80::1',
  '::1',
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  '2001:4860:4860::8888',
  '2001:4860:4860::8844',
  '2606:4700:4700::1111',
  '2620:fe::fe',
];

/** Every address named by any list in ../shared/data (both Tor lists and IPsum's full list), canonical. */
export function everyListedAddress(): Set<string> {
  const listed = new Set<string>();
  for (const file of [TOR_2026, TOR_2024, IPSUM_FULL]) {
    for (const entry of parseFeed(dataText(file)).entries) listed.add(entry.value);
  }
  return listed;
}
