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

/// `total` shared in proportion to `weights` by the largest remainders (ties to the first): the shares add up to
/// `total` exactly and, when `total` is at most the weights' sum, none exceeds its weight — for taking money from
/// parts that each hold at most their weight. Weights are not negative.
pub fn shares_within(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    if sum <= 0 {
        return shares(total, weights);
    }
    // i128: a total times a weight can pass i64 for large amounts.
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let product = i128::from(total) * i128::from(*w);
            ((product / i128::from(sum)) as i64, product % i128::from(sum))
        })
        .collect();
    let mut out: Vec<i64> = exact.iter().map(|e| e.0).collect();
    let mut left = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().cycle().take(weights.len() * 2) {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{shares, shares_within};

    #[test]
    fn shares_within_never_take_more_than_a_part_holds() {
        assert_eq!(shares_within(8, &[3, 3, 3]), vec![3, 3, 2]);
        assert_eq!(shares_within(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(shares_within(5, &[0, 10]), vec![0, 5]);
        for total in 0..=60 {
            let weights = [7, 0, 13, 1, 40];
            let parts = shares_within(total, &weights);
            assert_eq!(parts.iter().sum::<i64>(), total, "{total}");
            assert!(
                parts.iter().zip(weights).all(|(p, w)| (0..=w).contains(p)),
                "{total}: {parts:?}"
            );
        }
    }

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
