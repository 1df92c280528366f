//! MAC address -> IEEE registrant, from the embedded `fingerprints/oui.tsv` (MA-L 24-bit,
//! MA-M 28-bit, MA-S/IAB 36-bit prefixes; generated from Debian's ieee-data).

use std::collections::HashMap;

/// The IEEE assignment a MAC address falls in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Hex prefix as registered (`BCAD28`, `10DCB65`).
    pub prefix: String,
    pub bits: u8,
    pub organization: String,
}

#[derive(Debug, Default)]
pub struct OuiTable {
    by_len: [HashMap<u64, u32>; 3],
    orgs: Vec<String>,
}

const LENS: [u8; 3] = [36, 28, 24];

impl OuiTable {
    pub fn parse(tsv: &str) -> OuiTable {
        let mut t = OuiTable::default();
        let mut org_ids: HashMap<&str, u32> = HashMap::new();
        for line in tsv.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, '\t');
            let (Some(prefix), Some(bits), Some(org)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Ok(value), Ok(bits)) = (u64::from_str_radix(prefix, 16), bits.parse::<u8>())
            else {
                continue;
            };
            let Some(slot) = LENS.iter().position(|&l| l == bits) else {
                continue;
            };
            let id = *org_ids.entry(org).or_insert_with(|| {
                t.orgs.push(org.to_string());
                (t.orgs.len() - 1) as u32
            });
            t.by_len[slot].insert(value, id);
        }
        t
    }

    pub fn len(&self) -> usize {
        self.by_len.iter().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most specific assignment containing this MAC. Locally administered addresses
    /// (randomised or set by hand) carry no vendor and return `None`.
    pub fn lookup(&self, mac: &str) -> Option<Assignment> {
        let hex = normalize_mac(mac)?.replace(':', "");
        let value = u64::from_str_radix(&hex, 16).ok()?;
        if (value >> 40) & 0x02 != 0 {
            return None;
        }
        for (slot, &bits) in LENS.iter().enumerate() {
            let prefix = value >> (48 - bits as u32);
            if let Some(&id) = self.by_len[slot].get(&prefix) {
                let digits = bits as usize / 4;
                return Some(Assignment {
                    prefix: format!("{prefix:0digits$X}"),
                    bits,
                    organization: self.orgs[id as usize].clone(),
                });
            }
        }
        None
    }
}

/// Any common MAC spelling (`aa-bb-cc-dd-ee-ff`, `AABB.CCDD.EEFF`, `aabbccddeeff`) ->
/// `aa:bb:cc:dd:ee:ff`. `None` when it is not a MAC address.
pub fn normalize_mac(text: &str) -> Option<String> {
    let hex: String = text
        .trim()
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect();
    let seps = text
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_hexdigit())
        .all(|c| ":-. ".contains(c));
    if hex.len() != 12 || !seps {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    let pairs: Vec<&str> = (0..6).map(|i| &hex[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_prefix_wins() {
        let t = OuiTable::parse("10DCB6\t24\tBig Co\n10DCB65\t28\tSmall Co\n");
        assert_eq!(
            t.lookup("10:dc:b6:51:22:33").map(|a| a.organization),
            Some("Small Co".into())
        );
        assert_eq!(
            t.lookup("10-DC-B6-01-22-33").map(|a| a.organization),
            Some("Big Co".into())
        );
        assert_eq!(t.lookup("12:dc:b6:01:22:33"), None, "locally administered");
        assert_eq!(
            normalize_mac("10DC.B601.2233").as_deref(),
            Some("10:dc:b6:01:22:33")
        );
        assert_eq!(normalize_mac("not a mac"), None);
    }
}
