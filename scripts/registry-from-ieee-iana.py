#!/usr/bin/env python3
"""Propose and emit registry companies from the IEEE registrant lists and IANA enterprise numbers.

A maker that registered both a MAC block with the IEEE and an SNMP private enterprise number with
IANA usually spells its name two ways ("Zhejiang Uniview Technologies Co.,Ltd." and "Zhejiang
Uniview Technologies Co., Ltd."). Both are matched on a key that drops case, punctuation, legal
suffixes (Co., Ltd., Inc., GmbH, Technology...) and leading Chinese place names. A match is only a
proposal: a registrant name can be shared by unrelated companies, so every maker that reaches the
registry was reviewed by hand and is listed in scripts/registry-review.toml.

Inputs (Debian packages; the public originals are cited in the output):
  ieee-data          /usr/share/ieee-data/{oui,mam,oui36}.csv
                     https://standards-oui.ieee.org/oui/oui.csv (and oui28/mam.csv, oui36/oui36.csv)
  libwireshark-data  /usr/share/wireshark/enterprises.tsv
                     https://www.iana.org/assignments/enterprise-numbers/

Usage:
  registry-from-ieee-iana.py propose [--all]   every key present in both lists, as TSV on stdout
                                               (--all: also keys already in the registry)
  registry-from-ieee-iana.py existing          IEEE names and enterprise numbers the generator
                                               finds for companies already in the registry
  registry-from-ieee-iana.py emit              write fingerprints/registry/companies-generated.toml
                                               from the reviewed list; refuses names that collide
                                               with the rest of the registry
"""
import argparse
import csv
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "fingerprints" / "registry"
OUT = REGISTRY / "companies-generated.toml"
REVIEW = pathlib.Path(__file__).resolve().parent / "registry-review.toml"

IEEE_URLS = {
    "oui.csv": "https://standards-oui.ieee.org/oui/oui.csv",
    "mam.csv": "https://standards-oui.ieee.org/oui28/mam.csv",
    "oui36.csv": "https://standards-oui.ieee.org/oui36/oui36.csv",
}
IANA_URL = "https://www.iana.org/assignments/enterprise-numbers/"

# Words that say what kind of legal person a registrant is, not who it is. Dropped from the end
# of a name until none is left.
SUFFIXES = {
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "lp",
    "llp", "plc", "gmbh", "mbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
    "ab", "as", "asa", "aps", "oy", "oyj", "kk", "pty", "pte", "sdn", "bhd", "pvt", "private",
    "technology", "technologies", "tech", "group", "holding", "holdings", "the", "and", "of",
    "international", "intl", "industrial", "industries", "industry", "electronic", "electronics",
    "digital", "science", "sciences", "systems", "system", "network", "networks", "communication",
    "communications", "telecom", "enterprise", "enterprises", "usa", "america", "americas",
    "europe", "japan", "china", "taiwan", "korea", "solutions", "products", "manufacturing", "mfg",
    "trading", "development", "dev", "shares", "share", "stock", "jointstock", "joint", "branch",
}
# Leading place names of Chinese registrants ("Shenzhen ... Co., Ltd."), which IANA names often
# leave out.
PLACES = {
    "beijing", "shanghai", "shenzhen", "guangzhou", "guangdong", "hangzhou", "zhejiang", "xiamen",
    "fujian", "fuzhou", "jiangsu", "suzhou", "nanjing", "wuhan", "hubei", "chengdu", "sichuan",
    "tianjin", "qingdao", "shandong", "jinan", "dongguan", "zhuhai", "foshan", "ningbo",
    "changsha", "hunan", "hefei", "anhui", "xian", "chongqing", "zhongshan", "huizhou", "wuxi",
    "hong", "kong", "hongkong", "taipei", "hsinchu", "new",
}


def key(name: str) -> str:
    """The matching key: lower-case words, parentheses, legal suffixes and leading places dropped."""
    s = re.sub(r"\([^)]*\)", " ", name)
    s = re.sub(r"https?://\S+", " ", s)
    s = s.replace("&", " and ").lower()
    s = re.sub(r"\b(co|corp|inc|ltd)\b\.?", r" \1 ", s)
    words = [w for w in re.split(r"[^0-9a-z]+", s) if w]
    while words and words[-1] in SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] in PLACES:
        words.pop(0)
    return " ".join(words)


def collapse(name: str) -> str:
    """The registrant name as fingerprints/oui.tsv holds it (scripts/gen-oui.py)."""
    return " ".join(name.split())


def country_of(address: str) -> str:
    codes = re.findall(r"\b([A-Z]{2})\b", address)
    return codes[-1] if codes else ""


def load_ieee(src: pathlib.Path):
    """key -> {exact name -> [block count, set of countries, set of source files]}"""
    out: dict[str, dict[str, list]] = {}
    for fname in IEEE_URLS:
        path = src / fname
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.reader(f)
            next(reader, None)
            for row in reader:
                if len(row) < 3:
                    continue
                name = collapse(row[2])
                if not name:
                    continue
                k = key(name)
                if not k:
                    continue
                e = out.setdefault(k, {}).setdefault(name, [0, set(), set()])
                e[0] += 1
                e[1].add(country_of(row[3] if len(row) > 3 else ""))
                e[2].add(fname)
    return out


def load_iana(path: pathlib.Path):
    """key -> [(number, name)]"""
    out: dict[str, list] = {}
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"\s*(\d+)\s+(.*)$", line.rstrip("\n"))
            if not m:
                continue
            number = int(m.group(1))
            name = m.group(2).split("\t#")[0].split("  #")[0].strip()
            k = key(name)
            if k:
                out.setdefault(k, []).append((number, name))
    return out


def load_registry(skip: pathlib.Path | None):
    companies, brands, enterprises = [], [], []
    for f in sorted(REGISTRY.glob("*.toml")):
        if skip is not None and f.resolve() == skip.resolve():
            continue
        d = tomllib.loads(f.read_text(encoding="utf-8"))
        for c in d.get("company", []):
            c["_file"] = f.name
            companies.append(c)
        brands.extend(d.get("brand", []))
        enterprises.extend(d.get("enterprise", []))
    return companies, brands, enterprises


def norm(name: str) -> str:
    """The registry's own normalisation (crates/fingerprint/src/registry.rs `normalize`)."""
    return "".join(c for c in name.lower() if c.isalnum())


def company_keys(c) -> set[str]:
    names = [c["id"], c["name"], *c.get("legal_names", []), *c.get("aliases", []),
             *c.get("ieee_names", [])]
    return {k for k in (key(n) for n in names) if k}


def cmd_propose(args, ieee, iana):
    companies, _, _ = load_registry(OUT)
    known = {}
    for c in companies:
        for k in company_keys(c):
            known.setdefault(k, c["id"])
    print("key\tregistry\tieee_blocks\tcountries\tieee_names\tenterprises")
    for k in sorted(set(ieee) & set(iana)):
        if k in known and not args.all:
            continue
        names = ieee[k]
        blocks = sum(v[0] for v in names.values())
        countries = ",".join(sorted({c for v in names.values() for c in v[1] if c}))
        pens = "; ".join(f"{n} {nm}" for n, nm in iana[k])
        print(f"{k}\t{known.get(k, '')}\t{blocks}\t{countries}\t{' | '.join(sorted(names))}\t{pens}")


def cmd_existing(args, ieee, iana):
    companies, _, enterprises = load_registry(None)
    have_pen = {e["number"]: e["company"] for e in enterprises}
    have_ieee = {norm(n): c["id"] for c in companies for n in c.get("ieee_names", [])}
    for c in companies:
        ks = company_keys(c)
        new_ieee = sorted({n for k in ks for n in ieee.get(k, {}) if norm(n) not in have_ieee})
        new_pen = sorted({(n, nm) for k in ks for n, nm in iana.get(k, []) if n not in have_pen})
        if new_ieee or new_pen:
            print(f"== {c['id']} ({c['_file']})")
            for n in new_ieee:
                print(f"  ieee  {n!r}")
            for n, nm in new_pen:
                print(f"  pen   {n} {nm!r}")


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(xs) -> str:
    return "[" + ", ".join(toml_str(x) for x in xs) + "]"


def cmd_emit(args, ieee, iana):
    review = tomllib.loads(REVIEW.read_text(encoding="utf-8"))
    companies, brands, enterprises = load_registry(OUT)
    # Every name the rest of the registry resolves, and every IEEE name and number it claims:
    # a generated entry must not shadow or be shadowed by any of them.
    taken = {}
    for c in companies:
        for n in [c["id"], c["name"], *c.get("legal_names", []), *c.get("aliases", [])]:
            taken.setdefault(norm(n), f"company {c['id']}")
    for b in brands:
        for n in [b["name"], *b.get("aliases", [])]:
            taken.setdefault(norm(n), f"brand {b['name']}")
    taken_ieee = {norm(n): c["id"] for c in companies for n in c.get("ieee_names", [])}
    taken_pen = {e["number"]: e["company"] for e in enterprises}
    errors = []
    out = [
        "# Vendor registry: makers of the equipment a real estate holds (cameras, recorders, NAS,",
        "# routers, switches, wireless, printers, UPS, building controllers) that no regime names.",
        "# GENERATED by scripts/registry-from-ieee-iana.py from the reviewed list in",
        "# scripts/registry-review.toml: edit that list and re-run `emit`, not this file.",
        "# ieee_names: every IEEE MA-L/MA-M/MA-S registrant name whose matching key (case, punctuation,",
        "# legal suffixes and leading Chinese place names dropped) is one of the maker's reviewed keys,",
        "# minus the names the review excluded (ieee-data 20220827.1). Enterprise numbers likewise from",
        "# the IANA registry (libwireshark-data, updated 2024-08-23). None of these makers has a",
        "# listing: covered status is hand-reviewed and lives in covered.toml and oem.toml.",
        "",
    ]
    seen_ids = set()
    count = 0
    for m in review.get("maker", []):
        cid = m["id"]
        if cid in seen_ids:
            errors.append(f"{cid}: reviewed twice")
        seen_ids.add(cid)
        keys = m.get("keys", [])
        excl_ieee = set(m.get("ieee_exclude", []))
        excl_pen = set(m.get("pen_exclude", []))
        names = sorted({n for k in keys for n in ieee.get(k, {}) if n not in excl_ieee})
        names += [n for n in m.get("ieee_extra", []) if n not in names]
        pens = sorted({(n, nm) for k in keys for n, nm in iana.get(k, []) if n not in excl_pen})
        pens += [(n, nm) for n, nm in m.get("pen_extra", []) if n not in {p[0] for p in pens}]
        if not names and not pens:
            errors.append(f"{cid}: no IEEE name and no enterprise number under keys {keys}")
        for n in [cid, m["name"], *m.get("legal_names", []), *m.get("aliases", [])]:
            if taken.get(norm(n), f"company {cid}") != f"company {cid}":
                errors.append(f"{cid}: name {n!r} is already {taken[norm(n)]}")
            taken[norm(n)] = f"company {cid}"
        for n in names:
            if taken_ieee.get(norm(n), cid) != cid:
                errors.append(f"{cid}: IEEE name {n!r} already belongs to {taken_ieee[norm(n)]}")
            taken_ieee[norm(n)] = cid
        for n, _ in pens:
            if taken_pen.get(n, cid) != cid:
                errors.append(f"{cid}: enterprise {n} already belongs to {taken_pen[n]}")
            taken_pen[n] = cid
        files = sorted({f for n in names for f in ieee.get(key(n), {}).get(n, [0, (), ()])[2]})
        sources = [IEEE_URLS[f] for f in IEEE_URLS if f in files]
        if pens:
            sources.append(IANA_URL)
        sources += m.get("sources", [])
        out.append("[[company]]")
        out.append(f"id = {toml_str(cid)}")
        out.append(f"name = {toml_str(m['name'])}")
        if m.get("legal_names"):
            out.append(f"legal_names = {toml_list(m['legal_names'])}")
        if m.get("aliases"):
            out.append(f"aliases = {toml_list(m['aliases'])}")
        out.append(f"country = {toml_str(m['country'])}")
        if m.get("parent"):
            out.append(f"parent = {toml_str(m['parent'])}")
        if m.get("ownership"):
            out.append(f"ownership = {toml_str(m['ownership'])}")
        out.append(f"products = {toml_list(m['products'])}")
        out.append(f"ieee_names = {toml_list(names)}")
        out.append(f"sources = {toml_list(sources)}")
        if m.get("makes_own_products"):
            out.append("makes_own_products = true")
        if m.get("note"):
            out.append(f"note = {toml_str(m['note'])}")
        out.append("")
        for n, nm in pens:
            out.append("[[enterprise]]")
            out.append(f"number = {n}")
            out.append(f"company = {toml_str(cid)}")
            out.append(f"iana_name = {toml_str(nm)}")
            out.append(f"source = {toml_str(IANA_URL)}")
            out.append("")
        count += 1
    if errors:
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {count} companies to {OUT.relative_to(ROOT)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["propose", "existing", "emit"])
    p.add_argument("--all", action="store_true", help="propose: include keys already in the registry")
    p.add_argument("--ieee", default="/usr/share/ieee-data", type=pathlib.Path)
    p.add_argument("--iana", default="/usr/share/wireshark/enterprises.tsv", type=pathlib.Path)
    args = p.parse_args()
    ieee = load_ieee(args.ieee)
    iana = load_iana(args.iana)
    {"propose": cmd_propose, "existing": cmd_existing, "emit": cmd_emit}[args.command](args, ieee, iana)


if __name__ == "__main__":
    main()
