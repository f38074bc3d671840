//! IP address functions: `isValidIP`, `isValidIPv4`, `isValidIPv6`,
//! `isPrivateIP`, `isPublicIP`, CIDR matching, `compareCIDRPrefix`,
//! `maskFromCIDR`, `getCIDRPrefix` and `ipv4ToNumber`.
//!
//! Every function takes already-evaluated values and never fails: a value
//! that is not an address gives `false` or null. Address text is trimmed
//! first. An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) counts as the IPv4
//! address it carries everywhere except in [`is_valid_ipv4`] and
//! [`is_valid_ipv6`], which judge the spelling. This mirrors Java's
//! `InetAddress`, which turns mapped addresses into IPv4 ones.
//!
//! Range tests are written out here rather than taken from std's
//! `Ipv4Addr::is_private` and friends, whose definitions differ from Sumo's
//! (and some of which are unstable).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::value::{Num, Value};

/// Parses address text: surrounding white space is ignored, and an IPv6
/// zone id (`fe80::1%eth0`) is accepted and dropped.
///
/// IPv4 must be four dotted decimal octets; leading zeros (`010.0.0.1`) are
/// rejected because some tools read them as octal, so their meaning is
/// ambiguous.
fn parse_ip_text(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    if let Some((addr, zone)) = t.split_once('%') {
        // A zone id only exists on IPv6 and must be a plain non-empty token.
        if zone.is_empty() || zone.contains(|c: char| c.is_whitespace() || c == '%') {
            return None;
        }
        return addr.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    t.parse::<IpAddr>().ok()
}

/// The address of a value: its text, trimmed, read as IPv4 or IPv6.
///
/// Accepts every IPv6 spelling (`::1`, `0:0:0:0:0:0:0:1`, embedded IPv4
/// such as `::ffff:10.1.2.3`) and drops an IPv6 zone id (`fe80::1%eth0`).
/// The address is returned as written: an IPv4-mapped address stays
/// [`IpAddr::V6`]; the classifying functions of this module map it
/// themselves. Null and any other text give `None`.
pub fn parse_ip(v: &Value) -> Option<IpAddr> {
    parse_ip_text(&v.text()?)
}

/// The address with an IPv4-mapped IPv6 address turned into IPv4, so that
/// `::ffff:10.1.2.3` is classified like `10.1.2.3`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// The canonical (mapped-to-IPv4) address of a value, if it is one.
fn canonical_ip(v: &Value) -> Option<IpAddr> {
    parse_ip(v).map(canonical)
}

/// Parses a CIDR network such as `10.0.0.0/8` or `fc00::/7`.
///
/// A bare address is a single-host network (`/32` or `/128`). Host bits may
/// be set and are cleared (`10.1.2.3/8` is `10.0.0.0/8`). The prefix length
/// must be plain decimal digits within the family's range; white space
/// around the whole text is ignored. Anything else gives `None`.
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let t = text.trim();
    let (addr_text, prefix_text) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    // Inner white space ("10.0.0.0 /8") is not a CIDR; the trimmed
    // address parser would otherwise let it through.
    if addr_text.trim() != addr_text {
        return None;
    }
    let addr = parse_ip_text(addr_text)?;
    let prefix = match prefix_text {
        None => match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        },
        Some(p) => {
            // `u8::from_str` would also take "+8"; only digits are a length,
            // and more than three digits cannot be in range anyway.
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u8>().ok()?
        }
    };
    IpNet::new(addr, prefix).ok().map(|n| n.trunc())
}

/// `isValidIP`: true when the value is an IPv4 or IPv6 address.
pub fn is_valid_ip(v: &Value) -> bool {
    parse_ip(v).is_some()
}

/// `isValidIPv4`: true when the value is spelled as a dotted IPv4 address.
/// An IPv4-mapped IPv6 spelling (`::ffff:1.2.3.4`) is IPv6, not IPv4.
pub fn is_valid_ipv4(v: &Value) -> bool {
    matches!(parse_ip(v), Some(IpAddr::V4(_)))
}

/// `isValidIPv6`: true when the value is spelled as an IPv6 address,
/// including `::ffff:1.2.3.4` and a zone id such as `fe80::1%eth0`.
pub fn is_valid_ipv6(v: &Value) -> bool {
    matches!(parse_ip(v), Some(IpAddr::V6(_)))
}

/// True when `ip` lies in the IPv4 network `a.b.c.d/len`.
fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u32) -> bool {
    let mask = v4_mask(len);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// True when `ip` lies in the IPv6 network `net/len`.
fn in_v6(ip: Ipv6Addr, net: [u16; 8], len: u32) -> bool {
    let mask = v6_mask(len);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The netmask of an IPv4 prefix length; a shift by 32 would overflow, so
/// length 0 is handled by `checked_shl` yielding the empty mask.
fn v4_mask(len: u32) -> u32 {
    match 32u32.checked_sub(len) {
        Some(shift) => u32::MAX.checked_shl(shift).unwrap_or(0),
        None => u32::MAX,
    }
}

/// The netmask of an IPv6 prefix length, as [`v4_mask`].
fn v6_mask(len: u32) -> u128 {
    match 128u32.checked_sub(len) {
        Some(shift) => u128::MAX.checked_shl(shift).unwrap_or(0),
        None => u128::MAX,
    }
}

/// Sumo's private ranges: 10/8, 172.16/12, 192.168/16 and fc00::/7.
fn private_addr(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            in_v4(a, [10, 0, 0, 0], 8)
                || in_v4(a, [172, 16, 0, 0], 12)
                || in_v4(a, [192, 168, 0, 0], 16)
        }
        IpAddr::V6(a) => in_v6(a, [0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
    }
}

/// `isPrivateIP`: true for 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and
/// the IPv6 unique-local range fc00::/7, and for an IPv4-mapped IPv6
/// address of a private IPv4 address.
///
/// Only these: loopback, link-local and the 100.64.0.0/10 shared address
/// space are *not* private, as in Sumo. Non-addresses give false.
pub fn is_private_ip(v: &Value) -> bool {
    canonical_ip(v).is_some_and(private_addr)
}

/// True when an IPv4 address is in a non-public range (see [`is_public_ip`]).
fn special_v4(a: Ipv4Addr) -> bool {
    const RANGES: [([u8; 4], u32); 14] = [
        ([0, 0, 0, 0], 8),       // "this network", includes unspecified 0.0.0.0
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation TEST-NET-1
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation TEST-NET-2
        ([203, 0, 113, 0], 24),  // documentation TEST-NET-3
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, includes broadcast 255.255.255.255
    ];
    RANGES.iter().any(|&(net, len)| in_v4(a, net, len))
}

/// True when an IPv6 address (not IPv4-mapped) is in a non-public range
/// (see [`is_public_ip`]).
fn special_v6(a: Ipv6Addr) -> bool {
    const RANGES: [([u16; 8], u32); 7] = [
        ([0, 0, 0, 0, 0, 0, 0, 0], 128),          // unspecified ::
        ([0, 0, 0, 0, 0, 0, 0, 1], 128),          // loopback ::1
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),       // unique local (private)
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),      // link-local
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),       // multicast
        ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),      // IETF protocol assignments
    ];
    RANGES.iter().any(|&(net, len)| in_v6(a, net, len))
}

/// `isPublicIP`: true for a valid address outside every special range.
///
/// Not public (IPv4):
/// - 0.0.0.0/8 "this network", including the unspecified 0.0.0.0
/// - 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 private
/// - 100.64.0.0/10 shared address space (carrier-grade NAT)
/// - 127.0.0.0/8 loopback
/// - 169.254.0.0/16 link-local
/// - 192.0.0.0/24 IETF protocol assignments
/// - 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 documentation
/// - 198.18.0.0/15 benchmarking
/// - 224.0.0.0/4 multicast
/// - 240.0.0.0/4 reserved, including broadcast 255.255.255.255
///
/// Not public (IPv6):
/// - :: unspecified and ::1 loopback
/// - fc00::/7 unique local (private)
/// - fe80::/10 link-local
/// - ff00::/8 multicast
/// - 2001:db8::/32 documentation
/// - 2001::/23 IETF protocol assignments, including Teredo 2001::/32; the
///   few globally reachable assignments inside it (such as AMT 2001:3::/32)
///   are counted as not public too, to keep the rule one range
/// - ::ffff:0:0/96 IPv4-mapped: judged as the IPv4 address it carries
///
/// Decided as public: 64:ff9b::/96, the NAT64 well-known prefix, which IANA
/// lists as globally reachable (it stands for public IPv4 hosts). Ranges not
/// listed here, such as the deprecated IPv4-compatible ::/96 or site-local
/// fec0::/10, are public. Non-addresses give false.
pub fn is_public_ip(v: &Value) -> bool {
    match canonical_ip(v) {
        Some(IpAddr::V4(a)) => !special_v4(a),
        Some(IpAddr::V6(a)) => !special_v6(a),
        None => false,
    }
}

/// True when the value's address lies in `cidr`.
///
/// An IPv4-mapped IPv6 address matches IPv4 networks as its IPv4 address,
/// and an IPv4 address matches IPv6 networks as its mapped form
/// (`10.1.2.3` is in `::ffff:0:0/96`). Non-addresses give false.
pub fn cidr_match(ip: &Value, cidr: &IpNet) -> bool {
    let Some(addr) = parse_ip(ip) else {
        return false;
    };
    match (canonical(addr), cidr) {
        (IpAddr::V4(a), IpNet::V4(net)) => net.contains(&a),
        (IpAddr::V4(a), IpNet::V6(net)) => net.contains(&a.to_ipv6_mapped()),
        (IpAddr::V6(a), IpNet::V6(net)) => net.contains(&a),
        (IpAddr::V6(_), IpNet::V4(_)) => false,
    }
}

/// A prefix length from a value: an integer (or integral float, or numeric
/// string) within `0..=max`.
fn prefix_len(v: &Value, max: u8) -> Option<u8> {
    let n = match v.as_num()? {
        Num::Int(i) => i,
        // Only whole floats are lengths; the range check below keeps the
        // cast from saturating into a bogus valid value.
        Num::Float(f) if f.fract() == 0.0 && (0.0..=255.0).contains(&f) => f as i64,
        Num::Float(_) => return None,
    };
    u8::try_from(n).ok().filter(|&p| p <= max)
}

/// `compareCIDRPrefix(ip1, ip2, prefixLength)`: `true` when both addresses
/// share their first `prefixLength` bits, `false` when they do not.
///
/// Null when either value is not an address, the two are of different
/// families, or the length is outside 0..=32 (IPv4) or 0..=128 (IPv6).
/// IPv4-mapped IPv6 addresses count as IPv4.
pub fn compare_cidr_prefix(a: &Value, b: &Value, prefix: &Value) -> Value {
    match (canonical_ip(a), canonical_ip(b)) {
        (Some(IpAddr::V4(x)), Some(IpAddr::V4(y))) => match prefix_len(prefix, 32) {
            Some(p) => {
                let mask = v4_mask(u32::from(p));
                Value::Bool(u32::from(x) & mask == u32::from(y) & mask)
            }
            None => Value::Null,
        },
        (Some(IpAddr::V6(x)), Some(IpAddr::V6(y))) => match prefix_len(prefix, 128) {
            Some(p) => {
                let mask = v6_mask(u32::from(p));
                Value::Bool(u128::from(x) & mask == u128::from(y) & mask)
            }
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `maskFromCIDR(prefixLength)`: the IPv4 netmask as text, e.g. 21 gives
/// `"255.255.248.0"`. Null when the value is not a whole number in 0..=32.
pub fn mask_from_cidr(prefix: &Value) -> Value {
    match prefix_len(prefix, 32) {
        Some(p) => Value::from(Ipv4Addr::from(v4_mask(u32::from(p))).to_string()),
        None => Value::Null,
    }
}

/// `getCIDRPrefix(ip, prefixLength)`: the network address of `ip` under
/// that prefix length as text, e.g. (`10.1.2.3`, 24) gives `"10.1.2.0"`.
///
/// IPv6 works too (0..=128, compressed text such as `"2001:db8::"`); an
/// IPv4-mapped IPv6 address counts as IPv4. Null when the value is not an
/// address or the length is out of range.
pub fn get_cidr_prefix(ip: &Value, prefix: &Value) -> Value {
    let network = match canonical_ip(ip) {
        Some(IpAddr::V4(a)) => prefix_len(prefix, 32)
            .and_then(|p| Ipv4Net::new(a, p).ok())
            .map(|n| n.network().to_string()),
        Some(IpAddr::V6(a)) => prefix_len(prefix, 128)
            .and_then(|p| Ipv6Net::new(a, p).ok())
            .map(|n| n.network().to_string()),
        None => None,
    };
    network.map(Value::from).unwrap_or(Value::Null)
}

/// `ipv4ToNumber(ip)`: the IPv4 address as an unsigned 32-bit number, e.g.
/// `"10.0.0.1"` gives 167772161. An IPv4-mapped IPv6 address counts as
/// IPv4; anything else gives null.
pub fn ipv4_to_number(v: &Value) -> Value {
    match canonical_ip(v) {
        Some(IpAddr::V4(a)) => Value::Int(i64::from(u32::from(a))),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    /// Values that are not addresses; every predicate must say false.
    fn non_ips() -> Vec<Value> {
        vec![
            s("abc"),
            s(""),
            s("   "),
            s("1.2.3"),
            s("256.1.1.1"),
            s("1.2.3.4.5"),
            s("010.0.0.1"),
            s("1.2.3.4/24"),
            s("::1::2"),
            s("fe80::1%"),
            s("1.2.3.4%eth0"),
            s("[::1]"),
            Value::Null,
            Value::Int(167772161),
            Value::Int(1),
            Value::Float(1.5),
            Value::Bool(true),
        ]
    }

    fn private(x: &str) -> bool {
        is_private_ip(&s(x))
    }

    fn public(x: &str) -> bool {
        is_public_ip(&s(x))
    }

    #[test]
    fn non_ips_are_false_everywhere() {
        let net = parse_cidr("0.0.0.0/0");
        let net6 = parse_cidr("::/0");
        for v in non_ips() {
            assert!(!is_valid_ip(&v), "{v:?}");
            assert!(!is_valid_ipv4(&v), "{v:?}");
            assert!(!is_valid_ipv6(&v), "{v:?}");
            assert!(!is_private_ip(&v), "{v:?}");
            assert!(!is_public_ip(&v), "{v:?}");
            assert!(parse_ip(&v).is_none(), "{v:?}");
            for n in [net, net6].into_iter().flatten() {
                assert!(!cidr_match(&v, &n), "{v:?}");
            }
            assert!(ipv4_to_number(&v).is_null(), "{v:?}");
            assert!(get_cidr_prefix(&v, &Value::Int(8)).is_null(), "{v:?}");
            assert!(compare_cidr_prefix(&v, &s("1.2.3.4"), &Value::Int(8)).is_null());
            assert!(compare_cidr_prefix(&s("1.2.3.4"), &v, &Value::Int(8)).is_null());
        }
    }

    #[test]
    fn validity_by_family() {
        assert!(is_valid_ipv4(&s("10.0.0.1")));
        assert!(is_valid_ipv4(&s("  10.0.0.1 ")));
        assert!(is_valid_ipv4(&s("0.0.0.0")));
        assert!(is_valid_ipv4(&s("255.255.255.255")));
        assert!(!is_valid_ipv6(&s("10.0.0.1")));
        for x in [
            "::1",
            "0:0:0:0:0:0:0:1",
            "2001:DB8::1",
            "::ffff:10.1.2.3",
            "::",
        ] {
            assert!(is_valid_ipv6(&s(x)), "{x}");
            assert!(!is_valid_ipv4(&s(x)), "{x}");
            assert!(is_valid_ip(&s(x)), "{x}");
        }
        assert!(is_valid_ipv6(&s("fe80::1%eth0")));
        assert_eq!(
            parse_ip(&s("fe80::1%eth0")),
            Some("fe80::1".parse().unwrap())
        );
    }

    #[test]
    fn private_edges() {
        assert!(!private("9.255.255.255"));
        assert!(private("10.0.0.0"));
        assert!(private("10.255.255.255"));
        assert!(!private("11.0.0.0"));
        assert!(!private("172.15.255.255"));
        assert!(private("172.16.0.0"));
        assert!(private("172.31.255.255"));
        assert!(!private("172.32.0.0"));
        assert!(!private("192.167.255.255"));
        assert!(private("192.168.0.0"));
        assert!(private("192.168.255.255"));
        assert!(!private("192.169.0.0"));
        assert!(!private("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert!(private("fc00::"));
        assert!(private("fd12:3456::1"));
        assert!(private("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert!(!private("fe00::"));
        assert!(private("::ffff:10.1.2.3"));
        assert!(private("::ffff:192.168.1.1"));
        // Sumo counts none of these as private.
        for x in [
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "8.8.8.8",
        ] {
            assert!(!private(x), "{x}");
        }
    }

    #[test]
    fn public_edges() {
        for x in [
            "8.8.8.8",
            "1.0.0.0",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.255",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "198.51.101.0",
            "203.0.112.255",
            "203.0.114.0",
            "223.255.255.255",
            "2606:4700::1111",
            "2001:200::",
            "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db9::",
            "64:ff9b::808:808",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(x), "{x}");
        }
        for x in [
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.1",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.0.0",
            "169.254.255.255",
            "172.16.0.0",
            "172.31.255.255",
            "192.0.0.0",
            "192.0.0.255",
            "192.0.2.0",
            "192.0.2.255",
            "192.168.1.1",
            "198.18.0.0",
            "198.19.255.255",
            "198.51.100.0",
            "198.51.100.255",
            "203.0.113.0",
            "203.0.113.255",
            "224.0.0.0",
            "239.255.255.255",
            "240.0.0.0",
            "255.255.255.255",
            "::",
            "::1",
            "0:0:0:0:0:0:0:1",
            "fc00::1",
            "fe80::1",
            "fe80::1%eth0",
            "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::ffff:10.1.2.3",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public(x), "{x}");
        }
    }

    #[test]
    fn cidr_parsing() {
        let n = |x: &str| parse_cidr(x).map(|n| n.to_string());
        assert_eq!(n("10.0.0.0/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(n("10.1.2.3/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(n(" 10.1.2.3 ").as_deref(), Some("10.1.2.3/32"));
        assert_eq!(n("fc00::/7").as_deref(), Some("fc00::/7"));
        assert_eq!(n("::1").as_deref(), Some("::1/128"));
        assert_eq!(n("0.0.0.0/0").as_deref(), Some("0.0.0.0/0"));
        for bad in [
            "",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/+8",
            "10.0.0.0/-1",
            "10.0.0.0 /8",
            "10.0.0.0/ 8",
            "10.0.0.0/8/8",
            "abc/8",
            "10.0.0.0/0008",
            "10.0.0.0/256",
        ] {
            assert!(parse_cidr(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn cidr_matching() {
        let net = parse_cidr("10.0.0.0/8").unwrap();
        assert!(cidr_match(&s("10.1.2.3"), &net));
        assert!(cidr_match(&s("::ffff:10.1.2.3"), &net));
        assert!(!cidr_match(&s("11.0.0.0"), &net));
        assert!(!cidr_match(&s("::1"), &net));
        let net6 = parse_cidr("fc00::/7").unwrap();
        assert!(cidr_match(&s("fd00::5"), &net6));
        assert!(!cidr_match(&s("fe00::"), &net6));
        assert!(!cidr_match(&s("10.1.2.3"), &net6));
        let mapped = parse_cidr("::ffff:0:0/96").unwrap();
        assert!(cidr_match(&s("10.1.2.3"), &mapped));
        let host = parse_cidr("192.168.1.1").unwrap();
        assert!(cidr_match(&s("192.168.1.1"), &host));
        assert!(!cidr_match(&s("192.168.1.2"), &host));
    }

    #[test]
    fn compare_prefix() {
        let c = |a: &str, b: &str, p: Value| compare_cidr_prefix(&s(a), &s(b), &p);
        assert!(matches!(
            c("10.10.1.32", "10.10.2.12", Value::Int(16)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("10.10.1.32", "10.10.2.12", Value::Int(24)),
            Value::Bool(false)
        ));
        assert!(matches!(
            c("1.2.3.4", "200.0.0.0", Value::Int(0)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("1.2.3.4", "1.2.3.4", Value::Int(32)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("1.2.3.4", "1.2.3.5", Value::Int(32)),
            Value::Bool(false)
        ));
        assert!(matches!(
            c("1.2.3.4", "1.2.3.5", s("31")),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("1.2.3.4", "1.2.3.5", Value::Float(31.0)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("::ffff:10.1.2.3", "10.1.2.200", Value::Int(24)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("2001:db8::1", "2001:db8:ffff::1", Value::Int(32)),
            Value::Bool(true)
        ));
        assert!(matches!(
            c("2001:db8::1", "2001:db8::2", Value::Int(128)),
            Value::Bool(false)
        ));
        assert!(c("1.2.3.4", "1.2.3.4", Value::Int(33)).is_null());
        assert!(c("1.2.3.4", "1.2.3.4", Value::Int(-1)).is_null());
        assert!(c("1.2.3.4", "1.2.3.4", Value::Float(8.5)).is_null());
        assert!(c("1.2.3.4", "1.2.3.4", Value::Float(f64::NAN)).is_null());
        assert!(c("1.2.3.4", "1.2.3.4", Value::Null).is_null());
        assert!(c("1.2.3.4", "1.2.3.4", s("x")).is_null());
        assert!(c("::1", "::1", Value::Int(129)).is_null());
        assert!(c("1.2.3.4", "::1", Value::Int(0)).is_null());
    }

    #[test]
    fn masks() {
        let m = |p: Value| mask_from_cidr(&p).text().map(|t| t.into_owned());
        assert_eq!(m(Value::Int(21)).as_deref(), Some("255.255.248.0"));
        assert_eq!(m(Value::Int(0)).as_deref(), Some("0.0.0.0"));
        assert_eq!(m(Value::Int(32)).as_deref(), Some("255.255.255.255"));
        assert_eq!(m(Value::Int(8)).as_deref(), Some("255.0.0.0"));
        assert_eq!(m(s("24")).as_deref(), Some("255.255.255.0"));
        assert_eq!(m(Value::Int(33)), None);
        assert_eq!(m(Value::Int(-1)), None);
        assert_eq!(m(Value::Int(i64::MIN)), None);
        assert_eq!(m(Value::Float(1e300)), None);
        assert_eq!(m(s("abc")), None);
        assert_eq!(m(Value::Null), None);
    }

    #[test]
    fn cidr_prefixes() {
        let g = |ip: &str, p: Value| get_cidr_prefix(&s(ip), &p).text().map(|t| t.into_owned());
        assert_eq!(g("10.1.2.3", Value::Int(24)).as_deref(), Some("10.1.2.0"));
        assert_eq!(
            g("10.10.1.35", Value::Int(16)).as_deref(),
            Some("10.10.0.0")
        );
        assert_eq!(g("10.1.2.3", Value::Int(0)).as_deref(), Some("0.0.0.0"));
        assert_eq!(g("10.1.2.3", Value::Int(32)).as_deref(), Some("10.1.2.3"));
        assert_eq!(
            g("::ffff:10.1.2.3", Value::Int(8)).as_deref(),
            Some("10.0.0.0")
        );
        assert_eq!(
            g("2001:db8:1:2::5", Value::Int(32)).as_deref(),
            Some("2001:db8::")
        );
        assert_eq!(g("10.1.2.3", Value::Int(33)), None);
        assert_eq!(g("::1", Value::Int(129)), None);
        assert_eq!(g("10.1.2.3", s("x")), None);
    }

    #[test]
    fn ipv4_numbers() {
        assert!(matches!(
            ipv4_to_number(&s("10.0.0.1")),
            Value::Int(167772161)
        ));
        assert!(matches!(ipv4_to_number(&s("0.0.0.0")), Value::Int(0)));
        assert!(matches!(
            ipv4_to_number(&s("255.255.255.255")),
            Value::Int(4294967295)
        ));
        assert!(matches!(
            ipv4_to_number(&s("::ffff:10.0.0.1")),
            Value::Int(167772161)
        ));
        assert!(ipv4_to_number(&s("::1")).is_null());
    }
}
