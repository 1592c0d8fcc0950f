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

#[cfg(test)]
mod tests {
    use super::reconnect_delay;

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
