//! Table cells appended to a line without `core::fmt`: a capture's report has a line for
//! every frame and message (about 93,000 on the bench capture), and `write!` with widths was
//! about 5% of the CPU its reading took (perf). Each helper writes exactly what the format
//! string beside its use would: `{:<w$}` and `{:>w$}` pad to `w` characters with spaces.

/// `n` in decimal, as `{}` writes it.
pub fn push_u64(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// `n` right-aligned in `width` characters: `{:>width$}`.
pub fn push_u64_right(out: &mut String, n: u64, width: usize) {
    let len = decimal_len(n);
    pad(out, width.saturating_sub(len));
    push_u64(out, n);
}

/// `s` right-aligned in `width` characters: `{:>width$}`.
pub fn push_right(out: &mut String, s: &str, width: usize) {
    pad(out, width.saturating_sub(s.chars().count()));
    out.push_str(s);
}

/// `s` left-aligned in `width` characters: `{:<width$}`.
pub fn push_left(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    pad(out, width.saturating_sub(s.chars().count()));
}

/// `n` in lowercase hex, as `{:x}` writes it.
pub fn push_hex_u8(out: &mut String, n: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    if n >= 16 {
        out.push(char::from(DIGITS[usize::from(n >> 4)]));
    }
    out.push(char::from(DIGITS[usize::from(n & 15)]));
}

fn pad(out: &mut String, spaces: usize) {
    out.extend(std::iter::repeat_n(' ', spaces));
}

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every helper against the format string it replaces, on edge values.
    #[test]
    fn each_cell_is_what_its_format_string_writes() {
        let mut numbers = vec![0, 1, 9, 10, 99, 100, 12_345, 99_999, 100_000];
        numbers.extend([u64::from(u32::MAX), u64::MAX]);
        for n in numbers {
            for width in [0, 1, 5, 8, 18, 25] {
                let mut s = String::from("|");
                push_u64_right(&mut s, n, width);
                assert_eq!(s, format!("|{n:>width$}"));
            }
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        let texts = ["", "a", "client", "server", "1.033123 #12", "é€🌍x"];
        for text in texts {
            for width in [0, 1, 6, 16, 18] {
                let (mut l, mut r) = (String::new(), String::new());
                push_left(&mut l, text, width);
                push_right(&mut r, text, width);
                assert_eq!(l, format!("{text:<width$}"));
                assert_eq!(r, format!("{text:>width$}"));
            }
        }
        for n in 0..=255u8 {
            let mut s = String::new();
            push_hex_u8(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
    }
}
