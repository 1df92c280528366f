//! Certificate fields: subject, issuer and their attributes, subjectAltNames. Accepts a PEM
//! certificate, DER bytes, or text lines `subject: ...` / `issuer: ...` in the RFC 4514,
//! OpenSSL (`C = CN, O = x`) or slash (`/C=CN/O=x`) styles.

use crate::fields::Fields;
use x509_parser::prelude::*;

pub(crate) fn fields(f: &mut Fields, response: &[u8]) {
    if let Some(start) = find(response, b"-----BEGIN CERTIFICATE-----") {
        if let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(&response[start..])
            && let Ok(cert) = pem.parse_x509()
        {
            from_x509(f, &cert);
            return;
        }
    } else if response.first() == Some(&0x30)
        && let Ok((_, cert)) = X509Certificate::from_der(response)
    {
        from_x509(f, &cert);
        return;
    }
    from_text(f, &String::from_utf8_lossy(response));
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn from_x509(f: &mut Fields, cert: &X509Certificate<'_>) {
    push_name(f, "cert.subject", &name_attrs(cert.subject()));
    push_name(f, "cert.issuer", &name_attrs(cert.issuer()));
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => f.push("cert.san", *d),
                GeneralName::IPAddress(ip) => f.push("cert.san", format_ip(ip)),
                GeneralName::RFC822Name(e) => f.push("cert.san", *e),
                _ => {}
            }
        }
    }
    f.push("cert.serial", cert.raw_serial_as_string());
    f.push("cert.not_before", cert.validity().not_before.to_string());
}

fn format_ip(ip: &[u8]) -> String {
    match ip.len() {
        4 => std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(ip);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => ip.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn name_attrs(name: &X509Name<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rdn in name.iter() {
        for attr in rdn.iter() {
            let key = match attr.attr_type().to_id_string().as_str() {
                "2.5.4.3" => "CN".to_string(),
                "2.5.4.6" => "C".to_string(),
                "2.5.4.7" => "L".to_string(),
                "2.5.4.8" => "ST".to_string(),
                "2.5.4.10" => "O".to_string(),
                "2.5.4.11" => "OU".to_string(),
                "2.5.4.5" => "serialNumber".to_string(),
                "1.2.840.113549.1.9.1" => "emailAddress".to_string(),
                other => other.to_string(),
            };
            let value = attr
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(attr.attr_value().data).into_owned());
            out.push((key, value));
        }
    }
    out
}

fn push_name(f: &mut Fields, prefix: &str, attrs: &[(String, String)]) {
    let joined: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    f.push(prefix, joined.join(", "));
    for (k, v) in attrs {
        let k = match k.to_ascii_lowercase().as_str() {
            "emailaddress" | "e" => "email".to_string(),
            "s" => "st".to_string(),
            other => other.to_string(),
        };
        f.push_prefixed(prefix, &k, v.as_str());
    }
}

fn from_text(f: &mut Fields, text: &str) {
    let mut found = false;
    for line in text.lines() {
        let line = line.trim();
        let lower = line.to_ascii_lowercase();
        for (label, prefix) in [("subject", "cert.subject"), ("issuer", "cert.issuer")] {
            if let Some(rest) = lower.strip_prefix(label)
                && let Some(sep) = rest.trim_start().chars().next()
                && (sep == ':' || sep == '=')
            {
                let offset = line.len() - rest.trim_start().len() + 1;
                let dn = line[offset..].trim();
                push_name(f, prefix, &parse_dn(dn));
                found = true;
            }
        }
        if let Some(rest) = lower
            .strip_prefix("dns:")
            .or_else(|| lower.strip_prefix("san:"))
        {
            let _ = rest;
            for part in line[4..].split(',') {
                let v = part.trim().trim_start_matches("DNS:").trim();
                if !v.is_empty() {
                    f.push("cert.san", v);
                }
            }
        }
    }
    if !found && text.contains('=') {
        // A bare distinguished name: take it as the subject.
        push_name(f, "cert.subject", &parse_dn(text.trim()));
    }
}

/// Split a distinguished name in any of the common text forms into (attribute, value) pairs.
pub fn parse_dn(dn: &str) -> Vec<(String, String)> {
    let parts: Vec<String> = if dn.starts_with('/') {
        dn.split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        // Split on commas that are not escaped (`O=TP-LINK Technologies CO.\, LTD.`), and also
        // accept ` + ` multi-valued RDNs as separate attributes.
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut chars = dn.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                ',' | ';' => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        out.push(cur);
        out
    };
    let mut attrs: Vec<(String, String)> = Vec::new();
    for p in parts {
        match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(' ') => {
                attrs.push((k.trim().to_string(), v.trim().to_string()));
            }
            // A comma inside an unescaped value ("O=Foo, Inc."): glue it back.
            _ => {
                if let Some(last) = attrs.last_mut() {
                    last.1.push(',');
                    last.1.push_str(&p);
                    last.1 = last.1.trim().to_string();
                }
            }
        }
    }
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_forms() {
        assert_eq!(
            parse_dn("CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION"),
            vec![
                ("CN".into(), "www.hikvision.com".into()),
                ("OU".into(), "DVRNVR".into()),
                ("O".into(), "HIKVISION".into())
            ]
        );
        assert_eq!(
            parse_dn("/C=CN/O=x y"),
            vec![("C".into(), "CN".into()), ("O".into(), "x y".into())]
        );
        assert_eq!(
            parse_dn("O = TP-LINK Technologies CO.\\, LTD., C = CN")[0].1,
            "TP-LINK Technologies CO., LTD."
        );
    }
}
