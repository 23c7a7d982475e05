//! Edit distance, for "did you mean" suggestions.

/// The optimal-string-alignment distance between `a` and `b`, ASCII letters compared without
/// case (insertions, deletions, substitutions and transpositions of neighbours each count one),
/// or `None` when it exceeds `limit`. Works on bytes: keywords are ASCII.
pub(crate) fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let same = |x: Option<&u8>, y: Option<&u8>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    };
    // Three rows of the dynamic-programming table (two back, one back, current), on the stack:
    // `b` is a keyword, far shorter than a row.
    const ROW: usize = 64;
    if b.len() >= ROW {
        return None;
    }
    let mut before = [0usize; ROW];
    let mut previous = [0usize; ROW];
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j;
    }
    let mut current = [0usize; ROW];
    for i in 0..a.len() {
        let row = i.checked_add(1)?;
        *current.first_mut()? = row;
        let mut row_min = row;
        for j in 0..b.len() {
            let col = j.checked_add(1)?;
            let cost = usize::from(!same(a.get(i), b.get(j)));
            let deletion = previous.get(col)?.checked_add(1)?;
            let insertion = current.get(j)?.checked_add(1)?;
            let substitution = previous.get(j)?.checked_add(cost)?;
            let mut best = deletion.min(insertion).min(substitution);
            if i > 0
                && j > 0
                && same(a.get(i), b.get(j.checked_sub(1)?))
                && same(a.get(i.checked_sub(1)?), b.get(j))
            {
                best = best.min(before.get(j.checked_sub(1)?)?.checked_add(1)?);
            }
            *current.get_mut(col)? = best;
            row_min = row_min.min(best);
        }
        if row_min > limit {
            // Every later row is at least this far.
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.get(b.len()).copied().filter(|d| *d <= limit)
}
