//! What each receiver gets: the choice of simulcast layer per forwarded video, from the
//! receiver's estimated downlink. Pure (no clock, no sockets), so its rules can be tested
//! directly.
//!
//! The rules, in order:
//! - audio is budgeted first and never cut (str0m sends audio ahead of paced video);
//! - video goes down at once when what is forwarded no longer fits, to the best layers that do;
//! - video goes up one layer at a time, only after `UP_HOLD` without a downgrade and only when
//!   the bigger choice fits with `UP_MARGIN` to spare, so a link near a layer's rate does not
//!   flap between two layers (each switch costs a keyframe on that same link);
//! - a video for which even the lowest layer does not fit is paused, and resumes under the same
//!   rules as going up.

use std::time::{Duration, Instant};

/// Audio budget per forwarded audio track, kbit/s: Opus speech with RED and headers.
pub(crate) const AUDIO_KBPS: u32 = 70;
/// Share of the estimate that media may use; the rest is for RTCP, retransmissions and the
/// estimate's own error.
const USABLE: f64 = 0.85;
/// How much room a bigger choice needs before we take it.
const UP_MARGIN: f64 = 1.2;
/// Quiet time after a downgrade before anything goes up again.
pub(crate) const UP_HOLD: Duration = Duration::from_secs(3);

/// One forwarded video as the allocator sees it: its available layers' rates, lowest first,
/// and the layer forwarded now (`None`: paused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Video {
    pub rates: Vec<u32>,
    pub current: Option<usize>,
}

/// A receiver's memory between allocations.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Hysteresis {
    last_down: Option<Instant>,
}

/// The best choice that fits `budget`: every video gets its lowest layer in turn while that
/// fits, then videos go up a layer in turn while that fits. Fair between two videos (a
/// clinician's and the resident's) rather than all to the first.
fn fit(videos: &[Video], budget: f64) -> Vec<Option<usize>> {
    let mut choice: Vec<Option<usize>> = vec![None; videos.len()];
    let mut used = 0.0;
    for (i, v) in videos.iter().enumerate() {
        if let Some(&low) = v.rates.first()
            && used + f64::from(low) <= budget
        {
            choice[i] = Some(0);
            used += f64::from(low);
        }
    }
    loop {
        let mut grew = false;
        for (i, v) in videos.iter().enumerate() {
            let Some(l) = choice[i] else { continue };
            let (Some(&now), Some(&next)) = (v.rates.get(l), v.rates.get(l + 1)) else {
                continue;
            };
            let extra = f64::from(next) - f64::from(now);
            if used + extra <= budget {
                choice[i] = Some(l + 1);
                used += extra;
                grew = true;
            }
        }
        if !grew {
            return choice;
        }
    }
}

/// What the next step up would need in all (audio included): the cheapest single change from
/// `choice`, or `None` at the top.
pub(crate) fn next_step_kbps(
    audio_tracks: usize,
    videos: &[Video],
    choice: &[Option<usize>],
) -> Option<u32> {
    let now = total(videos, choice);
    let cheapest = videos
        .iter()
        .zip(choice)
        .filter_map(|(v, c)| {
            let next = c.map_or(0, |l| l + 1);
            let here = c.and_then(|l| v.rates.get(l)).copied().unwrap_or(0);
            v.rates.get(next).map(|&r| f64::from(r) - f64::from(here))
        })
        .min_by(f64::total_cmp)?;
    let audio = (AUDIO_KBPS as usize * audio_tracks) as f64;
    Some(((now + cheapest + audio) / USABLE * UP_MARGIN) as u32)
}

fn total(videos: &[Video], choice: &[Option<usize>]) -> f64 {
    videos
        .iter()
        .zip(choice)
        .filter_map(|(v, c)| c.and_then(|l| v.rates.get(l)))
        .map(|&r| f64::from(r))
        .sum()
}

/// Chooses a layer (or a pause) for each of a receiver's videos, given its downlink estimate.
pub(crate) fn allocate(
    estimate_kbps: u32,
    audio_tracks: usize,
    videos: &[Video],
    state: &mut Hysteresis,
    now: Instant,
) -> Vec<Option<usize>> {
    let audio = (AUDIO_KBPS as usize * audio_tracks) as f64;
    let budget = (f64::from(estimate_kbps) * USABLE - audio).max(0.0);
    let down = fit(videos, budget);
    let up = fit(videos, budget / UP_MARGIN);
    let may_rise = state
        .last_down
        .is_none_or(|t| now.saturating_duration_since(t) >= UP_HOLD);
    let mut went_down = false;
    let mut choice: Vec<Option<usize>> = videos
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // A layer that stopped arriving (the sender dropped it) counts as not available.
            let current = v.current.filter(|&l| l < v.rates.len());
            if current > down[i] || (v.current.is_some() && current.is_none()) {
                went_down = true;
                down[i]
            } else if may_rise && up[i] > current {
                Some(current.map_or(0, |l| l + 1))
            } else {
                current
            }
        })
        .collect();
    if total(videos, &choice) > budget {
        went_down = true;
        choice = down;
    }
    if went_down {
        state.last_down = Some(now);
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(rates: &[u32], current: Option<usize>) -> Video {
        Video {
            rates: rates.to_vec(),
            current,
        }
    }

    const LAYERS: [u32; 3] = [150, 500, 1200];

    #[test]
    fn a_wide_link_gets_the_top_layer_a_step_at_a_time() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        let mut v = video(&LAYERS, None);
        let mut seen = Vec::new();
        for _ in 0..4 {
            v.current = allocate(5000, 1, std::slice::from_ref(&v), &mut h, t0)[0];
            seen.push(v.current);
        }
        assert_eq!(seen, [Some(0), Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn a_narrowing_link_goes_down_at_once_and_up_only_after_the_hold() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        let v = video(&LAYERS, Some(2));
        // 1 Mbit/s: 850 usable, 70 audio: the middle layer fits, the top does not.
        let c = allocate(1000, 1, std::slice::from_ref(&v), &mut h, t0);
        assert_eq!(c, [Some(1)]);
        // The link widens again: nothing goes up during the hold...
        let v = video(&LAYERS, Some(1));
        let c = allocate(5000, 1, std::slice::from_ref(&v), &mut h, t0 + UP_HOLD / 2);
        assert_eq!(c, [Some(1)]);
        // ...and after it, one step.
        let c = allocate(5000, 1, std::slice::from_ref(&v), &mut h, t0 + UP_HOLD);
        assert_eq!(c, [Some(2)]);
    }

    #[test]
    fn near_a_layers_rate_it_does_not_climb_into_it() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        // 690 usable after audio at 900 kbit/s: 500 fits, but not with a 20% margin from 150.
        let v = video(&LAYERS, Some(0));
        let budget_kbps = ((500.0 * UP_MARGIN + 70.0) / USABLE) as u32 - 1;
        let c = allocate(budget_kbps, 1, std::slice::from_ref(&v), &mut h, t0);
        assert_eq!(c, [Some(0)]);
    }

    #[test]
    fn below_the_lowest_layer_video_pauses_and_audio_keeps_its_share() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        let v = video(&LAYERS, Some(0));
        // 200 kbit/s: 170 usable, 70 for audio, 100 left: under the 150 of the lowest layer.
        assert_eq!(
            allocate(200, 1, std::slice::from_ref(&v), &mut h, t0),
            [None]
        );
        // Recovered, but within the hold: stays paused.
        let v = video(&LAYERS, None);
        assert_eq!(
            allocate(
                2000,
                1,
                std::slice::from_ref(&v),
                &mut h,
                t0 + Duration::from_secs(1)
            ),
            [None]
        );
        assert_eq!(
            allocate(2000, 1, std::slice::from_ref(&v), &mut h, t0 + UP_HOLD),
            [Some(0)]
        );
    }

    #[test]
    fn two_videos_share_the_link_fairly() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        let vs = [video(&LAYERS, Some(2)), video(&LAYERS, Some(2))];
        // 1.5 Mbit/s: 1275 usable, 140 audio: two middle layers (1000), not one top (1200+150).
        let c = allocate(1500, 2, &vs, &mut h, t0);
        assert_eq!(c, [Some(1), Some(1)]);
    }

    #[test]
    fn a_layer_the_sender_stopped_sending_is_replaced_at_once() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        // The top layer vanished from the sender (its own uplink is weak): two layers remain.
        let v = video(&LAYERS[..2], Some(2));
        let c = allocate(5000, 1, std::slice::from_ref(&v), &mut h, t0);
        assert_eq!(c, [Some(1)]);
    }

    #[test]
    fn the_next_step_is_the_cheapest_layer_up_with_its_margin() {
        let vs = [video(&LAYERS, Some(1)), video(&LAYERS, Some(0))];
        // From (500, 150): the cheapest step is 150 -> 500 (+350): 1000 video + 140 audio.
        let need = next_step_kbps(2, &vs, &[Some(1), Some(0)]).expect("a step");
        assert_eq!(need, ((1000.0 + 140.0) / USABLE * UP_MARGIN) as u32);
        assert_eq!(next_step_kbps(2, &vs, &[Some(2), Some(2)]), None);
    }

    #[test]
    fn a_single_layer_sender_is_forwarded_or_paused() {
        let mut h = Hysteresis::default();
        let t0 = Instant::now();
        let v = video(&[400], None);
        assert_eq!(
            allocate(800, 1, std::slice::from_ref(&v), &mut h, t0),
            [Some(0)]
        );
        let v = video(&[400], Some(0));
        assert_eq!(
            allocate(300, 1, std::slice::from_ref(&v), &mut h, t0),
            [None]
        );
    }
}
