//! "Did you mean" suggestions for misspelt names.

/// The closest candidate to `name`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        // (optimal string alignment: two swapped letters, `scroe`, are one edit)
        let d = rapidfuzz::distance::osa::distance(name.chars(), c.chars());
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        let close = d <= limit || c.starts_with(name) && name.len() >= 3;
        if close && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn one_typo_is_found() {
        assert_eq!(did_you_mean("answr", ["answer", "blocks"]), Some("answer"));
    }
    #[test]
    fn two_swapped_letters_are_one_typo() {
        assert_eq!(did_you_mean("scroe", ["score", "step"]), Some("score"));
    }
    #[test]
    fn distant_names_are_not_suggested() {
        assert_eq!(did_you_mean("zzz", ["answer", "blocks"]), None);
    }
    #[test]
    fn ties_break_alphabetically() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
    }
}
