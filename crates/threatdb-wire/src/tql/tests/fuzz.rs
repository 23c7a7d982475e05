//! A fuzz-style run inside `cargo test`: 100,000 pseudo-random byte strings (fixed seed, so a
//! failure reproduces) through the parser and the checker. Every one must be an answer, and
//! every parsed one must print and parse back to itself.

use super::*;

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes TQL is made of, so most inputs get past the first token.
const ALPHABET: &[u8] = b"  ()(),=!<>\"'\\-.0123456789aAdDeEiInNoOrRsStTuUlLqQ_xyzhg";

/// Fragments that reach deeper rules than single bytes do.
const FRAGMENTS: &[&str] = &[
    " AND ",
    " or ",
    " NOT ",
    " IN ",
    " IS NULL",
    " IS NOT NULL",
    " contains ",
    "hasTag(",
    "hasGroup(",
    "summary",
    "id",
    "dateAdded",
    " = ",
    "\"NOW() - 7 DAYS\"",
    "(1, 2)",
    "true",
    "'x'",
    "\"\\\"\"",
    "typeName",
    "\u{e9}",
    "\u{1f600}",
    "\0",
];

/// Valid queries, mutated a little to probe the edges of the grammar.
const SEEDS: &[&str] = &[
    "typeName = \"Incident\" and summary CONTAINS \"wave\"",
    "hasTag(name = \"Phishing\") OR id IN (1001,1002)",
    "(id = 1 OR id = 2) AND typeName EQ 'Incident'",
    "dateAdded > \"NOW() - 7 DAYS\" and eventDate IS NOT NULL",
    "hasGroup(hasTag(summary NOT LIKE 'a%') and isGroup = true)",
];

fn mutated(rng: &mut Rng) -> String {
    let mut bytes = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
    for _ in 0..rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        let b = ALPHABET[rng.below(ALPHABET.len())];
        match rng.below(3) {
            0 => bytes.insert(at, b),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = b,
            _ => bytes.push(b),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn input(rng: &mut Rng) -> String {
    if rng.below(3) == 0 {
        return mutated(rng);
    }
    let len = rng.below(48);
    let mut bytes = Vec::with_capacity(len * 2);
    for _ in 0..len {
        match rng.below(8) {
            0 => bytes.push((rng.next() & 0xff) as u8),
            1 | 2 => bytes.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes()),
            _ => bytes.push(ALPHABET[rng.below(ALPHABET.len())]),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_hundred_thousand_random_inputs() {
    let started = std::time::Instant::now();
    let mut rng = Rng(0x5EED_7041_2024_0131);
    let (mut parsed, mut checked) = (0u32, 0u32);
    for _ in 0..100_000 {
        let text = input(&mut rng);
        match parse(&text) {
            Ok(e) => {
                parsed += 1;
                let printed = e.to_string();
                assert_eq!(
                    parse(&printed).as_ref(),
                    Ok(&e),
                    "{text:?} printed as {printed:?}"
                );
                if check(&e, &GROUPS).is_ok() {
                    checked += 1;
                }
            }
            Err(e) => {
                assert!(
                    e.column >= 1 && e.column <= text.chars().count() + 1,
                    "{text:?}: {e}"
                );
            }
        }
    }
    // The inputs reach past the lexer: some parse, a few even check.
    assert!(parsed > 5_000, "only {parsed} parsed");
    assert!(checked > 1_000, "only {checked} checked");
    eprintln!(
        "fuzz: 100000 inputs, {parsed} parsed, {checked} checked, in {:?}",
        started.elapsed()
    );
}
