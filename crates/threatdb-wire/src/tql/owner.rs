//! `ownerName = "…"` in a query: the owner to list, taken out of the query before it compiles
//! (a list is of one owner: the `owner=` parameter, or this).

use super::TqlError;
use super::ast::Op;
use super::check::{TypedExpr, TypedValue};
use super::keywords::Field;

/// The owner a top-level `ownerName = "X"` (or `IN` with one name) names, and the query without
/// it (`None` when nothing else is left). An `ownerName` elsewhere is left in place (and refused
/// by the compiler); two different names are an error.
pub fn take_owner(expr: TypedExpr) -> Result<(Option<String>, Option<TypedExpr>), TqlError> {
    fn name(e: &TypedExpr) -> Option<(String, usize)> {
        let TypedExpr::Cmp(c) = e else {
            return None;
        };
        if c.keyword.field != Field::OwnerName
            || !matches!(c.op, Op::Eq | Op::In)
            || c.values.len() != 1
        {
            return None;
        }
        match c.values.first()? {
            TypedValue::Text(s) => Some((s.clone(), c.column)),
            _ => None,
        }
    }
    let parts = match expr {
        TypedExpr::And(parts) => parts,
        other => {
            return Ok(match name(&other) {
                Some((owner, _)) => (Some(owner), None),
                None => (None, Some(other)),
            });
        }
    };
    let mut owner: Option<String> = None;
    let mut rest = Vec::new();
    for part in parts {
        match name(&part) {
            Some((n, column)) => match &owner {
                Some(o) if *o != n => {
                    return Err(TqlError::new(
                        column,
                        format!(
                            "a list is of one owner: ownerName names both \"{o}\" and \"{n}\" (column {column})"
                        ),
                    ));
                }
                _ => owner = Some(n),
            },
            None => rest.push(part),
        }
    }
    let rest = match rest.len() {
        0 => None,
        1 => rest.pop(),
        _ => Some(TypedExpr::And(rest)),
    };
    Ok((owner, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tql::{GROUPS, analyze};

    #[test]
    fn takes_the_owner_out() {
        let (o, rest) =
            take_owner(analyze(r#"ownerName = "Acme" AND summary = "x""#, &GROUPS).unwrap())
                .unwrap();
        assert_eq!(o.as_deref(), Some("Acme"));
        assert!(matches!(rest, Some(TypedExpr::Cmp(_))));
        let (o, rest) = take_owner(analyze(r#"ownerName IN ("Acme")"#, &GROUPS).unwrap()).unwrap();
        assert_eq!((o.as_deref(), rest.is_none()), (Some("Acme"), true));
        let (o, rest) =
            take_owner(analyze(r#"ownerName = "A" OR summary = "x""#, &GROUPS).unwrap()).unwrap();
        assert!(
            o.is_none() && rest.is_some(),
            "inside an OR it stays (and is refused)"
        );
        assert!(
            take_owner(analyze(r#"ownerName = "A" AND ownerName = "B""#, &GROUPS).unwrap())
                .is_err()
        );
    }
}
