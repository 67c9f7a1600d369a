//! DynamoDB's item sizes and the request units they cost, by the rules of the DynamoDB
//! Developer Guide ("Item sizes and formats", "Read/write capacity"), for the cost model: the
//! units a real table would charge, where a test server (moto) reports fixed figures.
//!
//! An item's size is the sum, per attribute, of its name's UTF-8 length and its value's size:
//! a string its UTF-8 length, a binary its length, a number about one byte per two significant
//! digits plus one, a boolean or null one byte, a list or map 3 bytes plus one byte and the
//! size of each element (a map's element also its name), a set the sum of its members.
//! A write costs one unit per started KB of the item, a strongly consistent read one per
//! started 4 KB (an eventually consistent one half that), a transaction twice either.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// Bytes per write request unit.
const WRITE_UNIT_BYTES: usize = 1024;
/// Bytes per read request unit.
const READ_UNIT_BYTES: usize = 4096;

/// The size DynamoDB counts for `item`, in bytes.
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, v)| name.len() + value_size(v))
        .sum()
}

/// The size of one attribute value.
fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(list) => 3 + list.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        // A type this SDK does not know yet: count its debug text rather than nothing.
        _ => format!("{v:?}").len(),
    }
}

/// A number's size: one byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits = n
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()
        .unwrap_or_default()
        .replace('.', "");
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    significant.max(1).div_ceil(2) + 1
}

/// Write request units for writing (or deleting, or condition-checking) an item of `size`
/// bytes; `transactional` doubles them.
pub fn write_units(size: usize, transactional: bool) -> f64 {
    let units = size.div_ceil(WRITE_UNIT_BYTES).max(1) as f64;
    if transactional {
        units * 2.0
    } else {
        units
    }
}

/// Read request units for reading `size` bytes as one unit of account (an item for GetItem and
/// BatchGetItem, a whole page for Query and Scan).
pub fn read_units(size: usize, consistent: bool, transactional: bool) -> f64 {
    let units = size.div_ceil(READ_UNIT_BYTES).max(1) as f64;
    match (transactional, consistent) {
        (true, _) => units * 2.0,
        (false, true) => units,
        (false, false) => units / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, AttributeValue)]) -> HashMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn sizes_follow_the_developer_guide() {
        // Names count, strings by UTF-8 bytes ("é" is two).
        let i = item(&[
            ("PK", AttributeValue::S("ab".into())),
            ("é", AttributeValue::Bool(true)),
        ]);
        assert_eq!(item_size(&i), 2 + 2 + 2 + 1);
        // Numbers: significant digits / 2 + 1, leading and trailing zeros dropped.
        assert_eq!(number_size("1735689600"), 5);
        assert_eq!(number_size("0.0015"), 2);
        assert_eq!(number_size("-12345"), 4);
        // A map: 3 bytes, and per element one byte, its name and its value.
        let m = AttributeValue::M(item(&[("k", AttributeValue::S("v".into()))]));
        assert_eq!(value_size(&m), 3 + 1 + 1 + 1);
        let l = AttributeValue::L(vec![
            AttributeValue::Null(true),
            AttributeValue::S("xy".into()),
        ]);
        assert_eq!(value_size(&l), 3 + (1 + 1) + (1 + 2));
    }

    #[test]
    fn units_round_up_per_kilobyte_and_double_in_transactions() {
        assert_eq!(write_units(0, false), 1.0);
        assert_eq!(write_units(1024, false), 1.0);
        assert_eq!(write_units(1025, false), 2.0);
        assert_eq!(write_units(1025, true), 4.0);
        assert_eq!(read_units(4096, true, false), 1.0);
        assert_eq!(read_units(4097, true, false), 2.0);
        assert_eq!(read_units(100, false, false), 0.5);
        assert_eq!(read_units(100, true, true), 2.0);
    }
}
