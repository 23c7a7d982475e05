//! The benchmark's dataset: deterministic (seeded), realistic in shape. 50 owners (10
//! organizations, 40 communities), 2,000 tags drawn with a Zipf distribution (~3 per incident),
//! 2 attributes per incident, a security label on 30 % of them, event dates over five years.

use threatdb_core::attribute::AttributeType;
use threatdb_core::date::from_unix;
use threatdb_core::{IncidentStatus, SeedIncident};

pub const ORGANIZATIONS: usize = 10;
pub const COMMUNITIES: usize = 40;
pub const TAGS: usize = 2_000;
/// Event dates fall in the five years before this (2026-01-01T00:00:00Z).
pub const EVENT_END: i64 = 1_767_225_600;
pub const FIVE_YEARS: i64 = 5 * 365 * 86_400;
pub const LABELS: [&str; 3] = ["TLP:GREEN", "TLP:AMBER", "TLP:RED"];

/// SplitMix64: a tiny, fast, well-distributed generator; the same seed gives the same data.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf(s = 1) over ranks `0..n`: rank 0 is the most common.
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for k in 1..=n {
            sum += 1.0 / k as f64;
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf { cdf }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|c| *c < u).min(self.cdf.len() - 1)
    }
}

/// The name of tag rank `k`.
pub fn tag_name(k: usize) -> String {
    const WORDS: [&str; 8] = [
        "APT",
        "Phishing",
        "Ransomware",
        "Botnet",
        "Nation State",
        "Insider",
        "Credential",
        "Exfil",
    ];
    format!("{} {k}", WORDS[k % WORDS.len()])
}

/// Owner names: organizations first, then communities.
pub fn owners() -> Vec<(String, &'static str)> {
    (0..ORGANIZATIONS)
        .map(|i| (format!("Bench Org {i:02}"), "Organization"))
        .chain((0..COMMUNITIES).map(|i| (format!("Bench Community {i:02}"), "Community")))
        .collect()
}

/// Generates incidents in batches. `owner_ids[i]` is the id of `owners()[i]`;
/// `tag_ids[i][k]` the id of tag rank `k` in owner `i`; `label_ids` those of [`LABELS`].
pub struct Generator<'a> {
    pub rng: Rng,
    zipf: Zipf,
    pub owner_ids: &'a [i64],
    pub tag_ids: &'a [Vec<i64>],
    pub label_ids: &'a [i64],
    description: &'static AttributeType,
    source: &'static AttributeType,
    now: i64,
    made: u64,
}

impl<'a> Generator<'a> {
    pub fn new(
        seed: u64,
        owner_ids: &'a [i64],
        tag_ids: &'a [Vec<i64>],
        label_ids: &'a [i64],
        now: i64,
    ) -> Self {
        Generator {
            rng: Rng::new(seed),
            zipf: Zipf::new(TAGS),
            owner_ids,
            tag_ids,
            label_ids,
            description: &threatdb_core::attribute::ATTRIBUTE_TYPES[0],
            source: &threatdb_core::attribute::ATTRIBUTE_TYPES[1],
            now,
            made: 0,
        }
    }

    pub fn batch(&mut self, n: usize) -> Vec<SeedIncident> {
        (0..n).map(|_| self.one()).collect()
    }

    fn one(&mut self) -> SeedIncident {
        let r = &mut self.rng;
        let owner = r.below(self.owner_ids.len() as u64) as usize;
        let n_tags = 2 + r.below(3) as usize; // 2..=4, ~3 on average
        let mut tag_ids: Vec<i64> = (0..n_tags)
            .map(|_| self.tag_ids[owner][self.zipf.sample(r)])
            .collect();
        tag_ids.sort_unstable();
        tag_ids.dedup();
        // 30 % labelled: TLP:GREEN 20 %, TLP:AMBER 9.9 %, TLP:RED 0.1 % (a rare label).
        let label_id = match r.below(1000) {
            0..200 => self.label_ids.first().copied(),
            200..299 => self.label_ids.get(1).copied(),
            299 => self.label_ids.get(2).copied(),
            _ => None,
        };
        let event = EVENT_END - r.below(FIVE_YEARS as u64) as i64;
        let added = self.now - r.below(2 * 365 * 86_400) as i64;
        self.made += 1;
        let n = self.made;
        SeedIncident {
            owner_id: self.owner_ids[owner],
            name: format!(
                "Incident {n}: suspicious activity at site {}",
                r.below(10_000)
            ),
            event_date: from_unix(event),
            date_added: from_unix(added),
            status: status(r.below(10_000)),
            created_by: "bench".into(),
            tag_ids,
            attributes: vec![
                (
                    self.description,
                    format!(
                        "Analyst notes for incident {n}: lateral movement observed, credentials rotated."
                    ),
                ),
                (self.source, format!("sensor-{}", r.below(500))),
            ],
            label_id,
        }
    }
}

/// Statuses as a team's incidents have them, per 10,000: most New or Open, and Rejected and
/// Deleted rare (1 in 2,000 each), so `list-rare` has a rare status to look for.
fn status(per_10k: u64) -> IncidentStatus {
    match per_10k {
        0..4_000 => IncidentStatus::New,
        4_000..6_500 => IncidentStatus::Open,
        6_500..7_500 => IncidentStatus::Stalled,
        7_500..8_300 => IncidentStatus::ContainmentAchieved,
        8_300..8_900 => IncidentStatus::RestorationAchieved,
        8_900..9_400 => IncidentStatus::IncidentReported,
        9_400..9_990 => IncidentStatus::Closed,
        9_990..9_995 => IncidentStatus::Rejected,
        _ => IncidentStatus::Deleted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_zipf_shaped() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(
            (0..5).map(|_| a.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| b.next_u64()).collect::<Vec<_>>()
        );
        let z = Zipf::new(TAGS);
        let mut rng = Rng::new(1);
        let mut counts = vec![0u32; TAGS];
        for _ in 0..100_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[1000]);
    }
}
