import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/lib/address-key.js';

describe('the address key every per-address limit counts by', () => {
  it('is an IPv4 address itself', () => {
    expect(addressKey('198.51.100.7')).toBe('198.51.100.7');
  });

  it('is the IPv4 address an IPv4-mapped IPv6 address carries, however it is written', () => {
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('::FFFF:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('0:0:0:0:0:ffff:c633:6407')).toBe('198.51.100.7');
  });

  it('is the /64 of any other IPv6 address: one subscriber picking fresh addresses in it counts once', () => {
    const key = '2001:db8:1234:5678::/64';
    expect(addressKey('2001:db8:1234:5678::1')).toBe(key);
    expect(addressKey('2001:db8:1234:5678:ffff:eeee:dddd:cccc')).toBe(key);
    expect(addressKey('2001:0DB8:1234:5678:0:0:0:9')).toBe(key);
    expect(addressKey('2001:db8:1234:5679::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('keeps anything else as it is, cut to 100 characters', () => {
    expect(addressKey('unknown')).toBe('unknown');
    expect(addressKey('x'.repeat(300))).toHaveLength(100);
  });
});
