//! The reconnect delay both session kinds (ZMTP and raw STREAM) wait before redialling.

/// The next reconnect delay in ms, as libzmq computes it: with RECONNECT_IVL_MAX (`max`)
/// set, exponential backoff without jitter from RECONNECT_IVL (`ivl`), capped at `max`
/// (`backoff` keeps the next value across attempts); otherwise `ivl` plus a random jitter
/// of up to `ivl` drawn from the xorshift state `rng`.
pub(crate) fn reconnect_delay(
    ivl: u64,
    max: u64,
    backoff: Option<&mut Option<u64>>,
    rng: &mut u64,
) -> u64 {
    match backoff {
        Some(backoff) if max > 0 => {
            let current = backoff.unwrap_or(ivl).min(max.max(ivl));
            *backoff = Some(current.saturating_mul(2).min(max.max(ivl)));
            current
        }
        _ => {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            ivl + if ivl > 0 { *rng % ivl } else { 0 }
        }
    }
}

/// The delay before the next redial from the socket's RECONNECT_IVL (`ivl`) and
/// RECONNECT_IVL_MAX (`max`) as set (ms; negative max = none), or `None` when RECONNECT_IVL
/// is -1: no reconnecting.
pub(crate) fn next_reconnect(
    ivl: i32,
    max: i32,
    backoff: Option<&mut Option<u64>>,
    rng: &mut u64,
) -> Option<u64> {
    let ivl = u64::try_from(ivl).ok()?;
    let max = u64::try_from(max).unwrap_or(0);
    Some(reconnect_delay(ivl, max, backoff, rng))
}

#[cfg(test)]
mod tests {
    use super::{next_reconnect, reconnect_delay};

    #[test]
    fn no_reconnect_at_minus_one_and_backoff_only_on_the_connect_side() {
        let mut rng = 0x2545_f491_4f6c_dd1d;
        assert_eq!(next_reconnect(-1, 1000, Some(&mut None), &mut rng), None);
        let mut backoff = None;
        let connect: Vec<_> = (0..3)
            .map(|_| next_reconnect(50, 150, Some(&mut backoff), &mut rng))
            .collect();
        assert_eq!(connect, [Some(50), Some(100), Some(150)]);
        // Without a backoff slot (or with max unset) the delay is jittered instead.
        for max in [150, 0, -1] {
            let d = next_reconnect(50, max, None, &mut rng).unwrap();
            assert!((50..100).contains(&d), "{d}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_below_ivl() {
        let (mut backoff, mut rng) = (None, 0x9e37_79b9_7f4a_7c15);
        let delays: Vec<u64> = (0..5)
            .map(|_| reconnect_delay(100, 500, Some(&mut backoff), &mut rng))
            .collect();
        assert_eq!(delays, [100, 200, 400, 500, 500]);
        for _ in 0..100 {
            let d = reconnect_delay(100, 0, None, &mut rng);
            assert!((100..200).contains(&d));
        }
    }
}
