//! The cases, by group, with the Autobahn TestSuite's ids; [`all`] gives them in the
//! suite's order (numeric order of the id).

use super::case::Case;

mod group1;
mod group10;
mod group2;
mod group3;
mod group4;
mod group5;
mod group6;
mod group6_utf8;
mod group7;
mod group9;
#[cfg(test)]
mod test_peer;

/// Every case, in order, group 9 at a sixteenth of its sizes (see [`all_sized`]).
pub fn all() -> Vec<Case> {
    all_sized(false)
}

/// Every case, in order; `full`: group 9 at Autobahn's sizes.
pub fn all_sized(full: bool) -> Vec<Case> {
    let mut cases: Vec<Case> = [
        group1::cases(),
        group2::cases(),
        group3::cases(),
        group4::cases(),
        group5::cases(),
        group6::cases(),
        group7::cases(),
        group9::cases(full),
        group10::cases(),
    ]
    .concat();
    cases.sort_by_key(Case::key);
    cases
}

/// The cases `patterns` select (Autobahn's syntax: `*` is any characters, a pattern matches
/// at the start of the id, so `1.*` is group 1 and `1*` groups 1, 10, 12 and 13; one without
/// `*` names one id), less those `exclude` selects; in order.
pub fn select(patterns: &[String], exclude: &[String]) -> Vec<Case> {
    select_sized(patterns, exclude, false)
}

/// [`select`], group 9 at Autobahn's sizes when `full`.
pub fn select_sized(patterns: &[String], exclude: &[String], full: bool) -> Vec<Case> {
    let matches = |list: &[String], id: &str| list.iter().any(|p| pattern_matches(p, id));
    all_sized(full)
        .into_iter()
        .filter(|c| matches(patterns, &c.id) && !matches(exclude, &c.id))
        .collect()
}

fn pattern_matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == id;
    }
    // A prefix match where `*` stands for any run of characters.
    fn prefix(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => true,
            Some((b'*', rest)) => (0..=s.len()).any(|i| prefix(rest, &s[i..])),
            Some((c, rest)) => s.first() == Some(c) && prefix(rest, &s[1..]),
        }
    }
    prefix(pattern.as_bytes(), id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_ordered() {
        let cases = all();
        let mut keys: Vec<Vec<u32>> = cases.iter().map(Case::key).collect();
        let sorted = keys.clone();
        keys.dedup();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn patterns_select_as_autobahns_do() {
        let ids = |p: &[&str], e: &[&str]| -> Vec<String> {
            let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            select(&s(p), &s(e)).into_iter().map(|c| c.id).collect()
        };
        assert_eq!(ids(&["1.1.*"], &[]).len(), 8);
        assert_eq!(ids(&["2.1"], &[]), vec!["2.1"]);
        assert!(ids(&["2.1*"], &[]).contains(&"2.10".to_string()));
        assert_eq!(ids(&["*"], &["1.*"]).len(), all().len() - 16);
        assert_eq!(ids(&["9.*"], &[]).len(), 54);
    }

    #[test]
    fn each_group_has_the_suite_s_count_in_order() {
        let groups = [
            (group3::cases(), 7),
            (group4::cases(), 10),
            (group5::cases(), 20),
            (group6::cases(), 145),
            (group7::cases(), 37),
            (group10::cases(), 1),
        ];
        for (cases, count) in groups {
            assert_eq!(cases.len(), count, "{}", cases[0].id);
            let keys: Vec<Vec<u32>> = cases.iter().map(Case::key).collect();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{}", cases[0].id);
        }
        assert_eq!(all().len(), 16 + 11 + 7 + 10 + 20 + 145 + 37 + 54 + 1);
    }
}
