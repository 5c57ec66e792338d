//! Splitting an amount of money into parts that add up to it exactly (a discount among sellers or among lines).

/// `total` shared in proportion to `weights`, rounded down, the last share taking the remainder: the shares add up
/// to `total` exactly (a zero total of weights gives it all to the last).
pub fn shares(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    let mut given = 0;
    let mut out = Vec::with_capacity(weights.len());
    for (i, weight) in weights.iter().enumerate() {
        let share = if i + 1 == weights.len() {
            total - given
        } else if sum > 0 {
            total * weight / sum
        } else {
            0
        };
        given += share;
        out.push(share);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shares;

    #[test]
    fn shares_add_up_to_the_whole() {
        assert_eq!(shares(100, &[1, 1, 1]), vec![33, 33, 34]);
        assert_eq!(shares(999, &[2999, 1, 7000]), vec![299, 0, 700]);
        assert_eq!(shares(10, &[0, 0]), vec![0, 10]);
        for total in [0, 1, 7, 12345] {
            assert_eq!(shares(total, &[3, 5, 11, 2]).iter().sum::<i64>(), total);
        }
    }
}
