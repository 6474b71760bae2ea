//! Where the window opens: `--window-at X,Y` and `--window-size W,H` (logical pixels) on the
//! command line, else centred at the configured size. Two desks on one screen (the demo's desk
//! and its partner's back office, or a trainer's two windows) then sit side by side instead of one
//! hidden under the other.

/// The window's place as the command line gives it; `None` keeps the configured one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Placement {
    pub at: Option<(f64, f64)>,
    pub size: Option<(f64, f64)>,
}

/// Reads `--window-at` and `--window-size` (also as `--flag=value`); anything else is ignored, as
/// for `--db`. A value that is not two numbers is ignored with a line on stderr: the window opens
/// where it would have.
pub fn from_args(args: impl IntoIterator<Item = String>) -> Placement {
    let mut placement = Placement::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_string(), Some(value.to_string())),
            None => (arg, None),
        };
        let slot = match flag.as_str() {
            "--window-at" => &mut placement.at,
            "--window-size" => &mut placement.size,
            _ => continue,
        };
        let value = value.or_else(|| args.next()).unwrap_or_default();
        match pair(&value) {
            Some(p) if flag == "--window-size" && (p.0 < 200.0 || p.1 < 200.0) => {
                eprintln!("tongban-desk: {flag} {value} 太小，已忽略（至少 200,200）")
            }
            Some(p) => *slot = Some(p),
            None => eprintln!("tongban-desk: {flag} {value} 应为两个数，如 {flag} 100,80；已忽略"),
        }
    }
    placement
}

fn pair(value: &str) -> Option<(f64, f64)> {
    let (x, y) = value.split_once(',')?;
    let (x, y) = (x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?);
    (x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_place_and_a_size_are_read_in_either_form_and_other_arguments_ignored() {
        let p = from_args(args(&["--db", "x.db", "--window-at", "700,40", "--window-size=660,700", "--other"]));
        assert_eq!(p, Placement { at: Some((700.0, 40.0)), size: Some((660.0, 700.0)) });
        assert_eq!(from_args(args(&["--db", "x.db"])), Placement::default());
    }

    #[test]
    fn a_value_that_is_not_two_sensible_numbers_is_ignored() {
        for bad in ["700", "a,b", "-5,10", "NaN,1", ""] {
            assert_eq!(from_args(args(&["--window-at", bad])).at, None, "{bad}");
        }
        assert_eq!(from_args(args(&["--window-size", "100,100"])).size, None, "too small");
        assert_eq!(from_args(args(&["--window-at"])).at, None, "missing");
    }
}
