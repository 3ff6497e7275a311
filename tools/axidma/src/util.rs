//! What every subcommand shares: argument parsing, channel choice, data in and out.

use axidma::{Buffer, Device};
use std::{
    fs::File,
    io::{Read, Write},
    time::Duration,
};

pub type Res<T> = Result<T, String>;

pub fn parse_size(s: &str) -> Res<u64> {
    let (num, mul) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1024),
        Some('m' | 'M') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("bad size '{s}' (examples: 4096, 4k, 1M)"))?;
    n.checked_mul(mul).filter(|&v| v > 0).ok_or_else(|| format!("bad size '{s}'"))
}

pub struct Args {
    pub v: Vec<String>,
}

impl Args {
    pub fn flag(&mut self, names: &[&str]) -> bool {
        if let Some(i) = self.v.iter().position(|a| names.contains(&a.as_str())) {
            self.v.remove(i);
            true
        } else {
            false
        }
    }
    pub fn opt(&mut self, names: &[&str]) -> Res<Option<String>> {
        if let Some(i) = self.v.iter().position(|a| names.contains(&a.as_str())) {
            if i + 1 >= self.v.len() {
                return Err(format!("{} needs a value", self.v[i]));
            }
            let val = self.v.remove(i + 1);
            self.v.remove(i);
            Ok(Some(val))
        } else {
            Ok(None)
        }
    }
    pub fn positional(&mut self, what: &str) -> Res<String> {
        if self.v.is_empty() || self.v[0].starts_with('-') {
            return Err(format!("missing {what}"));
        }
        Ok(self.v.remove(0))
    }
    pub fn done(&self) -> Res<()> {
        match self.v.first() {
            Some(a) => Err(format!("unexpected argument '{a}' (see --help)")),
            None => Ok(()),
        }
    }
}

pub fn pick_channel(dev: &Device, want: Option<&str>, fits: impl Fn(&axidma::Channel) -> bool, what: &str) -> Res<u32> {
    let chans = dev.channels().map_err(|e| e.to_string())?;
    match want {
        Some(w) => {
            let c = chans
                .iter()
                .find(|c| c.name == w || c.index.to_string() == w)
                .ok_or_else(|| format!("no channel '{w}' on {} (see `axidma info`)", dev.path().display()))?;
            if !fits(c) {
                return Err(format!("channel '{}' cannot {what}", c.name));
            }
            Ok(c.index)
        }
        None => chans
            .iter()
            .find(|c| fits(c))
            .map(|c| c.index)
            .ok_or_else(|| format!("no channel of {} can {what}", dev.path().display())),
    }
}

pub fn fill_pattern(b: &mut [u8], seed: u64) {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    for chunk in b.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

pub fn load_input(buf: &mut Buffer, input: Option<&str>) -> Res<()> {
    match input {
        Some(path) => {
            let mut f = File::open(path).map_err(|e| format!("{path}: {e}"))?;
            let n = buf.len();
            f.read_exact(&mut buf.as_mut_slice()[..n])
                .map_err(|e| format!("{path}: need {n} bytes: {e}"))
        }
        None => {
            fill_pattern(buf.as_mut_slice(), 42);
            Ok(())
        }
    }
}

pub fn save_output(data: &[u8], output: Option<&str>) -> Res<()> {
    if let Some(path) = output {
        let mut f = File::create(path).map_err(|e| format!("{path}: {e}"))?;
        f.write_all(data).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

pub fn rate(bytes: u64, d: Duration) -> String {
    format!("{:.1} MB/s", bytes as f64 / d.as_secs_f64().max(1e-9) / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("2M"), Ok(2 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999999999M").is_err());
    }

    #[test]
    fn options_are_taken_out_of_the_arguments() {
        let mut a = Args { v: ["1M", "-c", "tx", "--verify"].map(String::from).to_vec() };
        assert!(a.flag(&["--verify"]));
        assert_eq!(a.opt(&["-c"]).unwrap().as_deref(), Some("tx"));
        assert_eq!(a.positional("SIZE").unwrap(), "1M");
        assert!(a.done().is_ok());
        let mut b = Args { v: vec!["-c".into()] };
        assert!(b.opt(&["-c"]).is_err());
    }

    #[test]
    fn pattern_is_deterministic() {
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        fill_pattern(&mut x, 1);
        fill_pattern(&mut y, 1);
        assert_eq!(x, y);
        fill_pattern(&mut y, 2);
        assert_ne!(x, y);
    }
}
