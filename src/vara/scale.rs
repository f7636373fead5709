//! A forward-only SCALE reader over bytes from a node: every length is checked against what
//! is left before anything is allocated, so a hostile blob ends in an error, never a panic or
//! a huge allocation.

use crate::error::{Error, ErrorCode, Result};

pub struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// `what` names the data in errors ("runtime metadata").
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    pub fn error(&self, why: &str) -> Error {
        Error::new(ErrorCode::UnsupportedRuntime, format!("{} does not decode: {why}", self.what))
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.bytes.len() {
            return Err(self.error("it ends early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A SCALE compact integer that fits in u32 (type ids, lengths).
    pub fn compact(&mut self) -> Result<u32> {
        let first = self.u8()?;
        let value = match first & 3 {
            0 => (first >> 2) as u32,
            1 => ((first as u32) | (self.u8()? as u32) << 8) >> 2,
            2 => {
                let rest = self.take(3)?;
                (first as u32 | (rest[0] as u32) << 8 | (rest[1] as u32) << 16 | (rest[2] as u32) << 24) >> 2
            }
            _ => return Err(self.error("a compact number beyond u32")),
        };
        Ok(value)
    }

    /// A length prefix, which cannot exceed the bytes left (each item takes at least one).
    pub fn len(&mut self) -> Result<usize> {
        let n = self.compact()? as usize;
        if n > self.bytes.len() {
            return Err(self.error("a length beyond the data"));
        }
        Ok(n)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    pub fn string(&mut self) -> Result<&'a str> {
        core::str::from_utf8(self.bytes()?).map_err(|_| self.error("a name is not UTF-8"))
    }

    /// `Option<T>`: `Some(read(self))` or `None`.
    pub fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(self.error("an option flag that is neither 0 nor 1")),
        }
    }

    /// `Vec<T>`, each item read by `read`.
    pub fn vec<T>(&mut self, mut read: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Ok(out)
    }

    /// Skips `Vec<String>` (docs) without allocating.
    pub fn skip_strings(&mut self) -> Result<()> {
        for _ in 0..self.len()? {
            self.bytes()?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_and_bounds() {
        let mut r = Reader::new(&[0x04, 0x15, 0x01, 0x02, 0x00, 0x01, 0x00], "t");
        assert_eq!(r.compact().unwrap(), 1);
        assert_eq!(r.compact().unwrap(), 69);
        assert_eq!(r.compact().unwrap(), 16_384); // four-byte mode: 0x00010002 >> 2
                                                  // Four-byte mode with every byte in play: the largest (2^30 − 1) and 1,000,000.
        assert_eq!(Reader::new(&[0xfe, 0xff, 0xff, 0xff], "t").compact().unwrap(), (1 << 30) - 1);
        assert_eq!(Reader::new(&[0x02, 0x09, 0x3d, 0x00], "t").compact().unwrap(), 1_000_000);
        assert_eq!(Reader::new(&[0xfd, 0xff], "t").compact().unwrap(), (1 << 14) - 1);
        // A length equal to the bytes left is whole; one more is not.
        assert_eq!(Reader::new(&[0x08, 1, 2], "t").bytes().unwrap(), &[1, 2]);
        assert!(Reader::new(&[0x0c, 1, 2], "t").bytes().is_err());
        let mut r = Reader::new(&[7], "t");
        assert!(!r.is_empty());
        r.u8().unwrap();
        assert!(r.is_empty());
        assert!(Reader::new(&[0x03, 0, 0, 0, 0], "t").compact().is_err());
        // A length of 1000 with two bytes left.
        assert!(Reader::new(&[0xa1, 0x0f, 0, 0], "t").len().is_err());
        assert!(Reader::new(&[0x08, 0xff, 0xfe], "t").string().is_err());
        assert_eq!(Reader::new(&[2], "t").option(|r| r.u8()).unwrap_err().code, ErrorCode::UnsupportedRuntime);
    }
}
