//! BIP39 mnemonics as Substrate reads them: the English phrase becomes its entropy (checksum
//! checked), and the entropy, not the BIP39 seed, goes through PBKDF2 to the 32-byte mini
//! secret (substrate-bip39's `mini_secret_from_entropy`).
//!
//! The word list is stored front-coded (8.3 KB instead of 2048 string slices): each word is a
//! digit, the number of leading letters it shares with the word before it, then the rest.

use sha2::{Digest, Sha256, Sha512};
use zeroize::{Zeroize, Zeroizing};

/// The 2048 English words, sorted, front-coded (`0abandon2ility2le…`).
const ENGLISH: &[u8] = include_bytes!("bip39_english.txt");

/// Why a phrase is not a mnemonic; never carries any of its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MnemonicError {
    /// Not 12, 15, 18, 21 or 24 words (the count found).
    BadWordCount(usize),
    /// The word at this index (from 0) is not in the list.
    UnknownWord(usize),
    /// Every word is known but the checksum bits disagree.
    InvalidChecksum,
}

/// The words of the list in order, each as (letters, length), zero-padded to the 8 letters of
/// the longest.
pub(crate) fn words() -> impl Iterator<Item = ([u8; 8], usize)> {
    let mut word = [0u8; 8];
    let mut bytes = ENGLISH.iter().copied().filter(u8::is_ascii_alphanumeric).peekable();
    core::iter::from_fn(move || {
        let mut len = usize::from(bytes.next()? - b'0'); // the shared prefix
        while let Some(letter) = bytes.next_if(u8::is_ascii_lowercase) {
            word[len] = letter;
            len += 1;
        }
        word[len..].fill(0);
        Some((word, len))
    })
}

/// The most words a phrase has.
const MAX_WORDS: usize = 24;

/// All ones when `x` is zero, else zero, with no branch.
fn zero_mask(x: u64) -> u64 {
    ((x | x.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// The index in the English list of each word, or `UnknownWord` for the first that is not in
/// it. Every word is compared with all 2048 list words, without stopping early and without a
/// branch on its letters, so the time taken does not depend on which words are given (only on
/// how many, and the split into words on their lengths). A word is packed into a `u64`
/// (8 letters at most; a longer word's length matches no list word's).
fn word_indices(given: &[&str], out: &mut [u16]) -> Result<(), MnemonicError> {
    let n = given.len();
    debug_assert!(n <= MAX_WORDS && out.len() >= n);
    let mut packed = Zeroizing::new([0u64; MAX_WORDS]);
    let mut lens = Zeroizing::new([0u64; MAX_WORDS]);
    let mut buf = Zeroizing::new([0u8; 8]);
    for (i, word) in given.iter().enumerate() {
        let take = word.len().min(8);
        buf.fill(0);
        buf[..take].copy_from_slice(&word.as_bytes()[..take]);
        packed[i] = u64::from_le_bytes(*buf);
        lens[i] = word.len() as u64;
    }
    let mut index = Zeroizing::new([0u64; MAX_WORDS]);
    let mut found = Zeroizing::new([0u64; MAX_WORDS]);
    for (position, (letters, len)) in words().enumerate() {
        let (letters, len) = (u64::from_le_bytes(letters), len as u64);
        for i in 0..n {
            let same = zero_mask((packed[i] ^ letters) | (lens[i] ^ len));
            index[i] |= same & position as u64;
            found[i] |= same;
        }
    }
    // Which word is unknown is what the error says; the valid words' indices stay unbranched.
    if let Some(unknown) = found[..n].iter().position(|f| *f == 0) {
        return Err(MnemonicError::UnknownWord(unknown));
    }
    for i in 0..n {
        out[i] = index[i] as u16;
    }
    Ok(())
}

/// The index of `word` in the English list.
#[cfg(test)]
fn word_index(word: &str) -> Option<u16> {
    let mut out = [0u16; 1];
    word_indices(&[word], &mut out).ok().map(|()| out[0])
}

/// The entropy (16 to 32 bytes) a phrase of 12 to 24 English words encodes, as the `bip39`
/// crate's `Mnemonic::parse_in_normalized(English, _)` then `to_entropy()` give it: words
/// split on whitespace and matched exactly, the count checked first, then each word, then the
/// checksum (the first `words / 3` bits of SHA-256 of the entropy). No step branches on the
/// words' letters or on the bits they encode.
pub fn entropy_from_phrase(phrase: &str) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    let count = phrase.split_whitespace().count();
    if !(12..=MAX_WORDS).contains(&count) || count % 3 != 0 {
        return Err(MnemonicError::BadWordCount(count));
    }
    let mut split = [""; MAX_WORDS];
    for (slot, word) in split.iter_mut().zip(phrase.split_whitespace()) {
        *slot = word;
    }
    let mut indices = Zeroizing::new([0u16; MAX_WORDS]);
    word_indices(&split[..count], &mut indices[..])?;
    // 11 bits a word: entropy then checksum, packed big-endian (at most 33 bytes).
    let mut bits = Zeroizing::new([0u8; 33]);
    for (i, index) in indices[..count].iter().enumerate() {
        for bit in 0..11 {
            let at = i * 11 + bit;
            bits[at / 8] |= (((index >> (10 - bit)) & 1) as u8) << (7 - at % 8);
        }
    }
    let entropy_len = count / 3 * 4;
    let mut check = Sha256::digest(&bits[..entropy_len]);
    let checksum_bits = count / 3; // at most 8: all in the byte after the entropy
    let mask = (0xff00u16 >> checksum_bits) as u8; // the top `checksum_bits` bits
    let valid = (bits[entropy_len] ^ check[0]) & mask == 0;
    check.zeroize();
    if !valid {
        return Err(MnemonicError::InvalidChecksum);
    }
    Ok(Zeroizing::new(bits[..entropy_len].to_vec()))
}

/// Substrate's mini secret of a BIP39 entropy: the first 32 bytes of
/// PBKDF2-HMAC-SHA512(entropy, salt "mnemonic" + password, 2048 rounds, 64 bytes).
pub fn mini_secret_from_entropy(entropy: &[u8], password: &str) -> Zeroizing<[u8; 32]> {
    let mut salt = Zeroizing::new(Vec::with_capacity(8 + password.len()));
    salt.extend_from_slice(b"mnemonic");
    salt.extend_from_slice(password.as_bytes());
    let mut seed = Zeroizing::new([0u8; 64]);
    pbkdf2::pbkdf2_hmac::<Sha512>(entropy, &salt, 2048, &mut *seed);
    let mut mini = Zeroizing::new([0u8; 32]);
    mini.copy_from_slice(&seed[..32]);
    mini
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_list_has_2048_sorted_words() {
        let all: Vec<Vec<u8>> = words().map(|(w, len)| w[..len].to_vec()).collect();
        assert_eq!(all.len(), 2048);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((&all[0][..], &all[2047][..]), (&b"abandon"[..], &b"zoo"[..]));
        assert_eq!(word_index("zoo"), Some(2047));
        #[cfg(not(target_arch = "wasm32"))]
        {
            // The list the `bip39` crate carries (a native dev-dependency), word for word.
            let theirs = ::bip39::Language::English.word_list();
            assert!(all.iter().zip(theirs.iter()).all(|(ours, theirs)| ours == theirs.as_bytes()));
            // Looked up 24 at a time, as a phrase is.
            let mut out = [0u16; MAX_WORDS];
            for (chunk, words) in theirs.chunks(MAX_WORDS).enumerate() {
                word_indices(words, &mut out).unwrap();
                for (i, word) in words.iter().enumerate() {
                    assert_eq!(usize::from(out[i]), chunk * MAX_WORDS + i, "{word}");
                }
            }
            for (i, word) in theirs.iter().enumerate().step_by(7) {
                assert_eq!(word_index(word), Some(i as u16), "{word}");
                assert_eq!(word_index(&word.to_uppercase()), None, "matched exactly, as the bip39 crate does");
                let prefix = &word[..word.len() - 1];
                assert_eq!(word_index(prefix), ::bip39::Language::English.find_word(prefix), "{prefix}");
                assert_eq!(word_index(&format!("{word}s")), ::bip39::Language::English.find_word(&format!("{word}s")));
            }
        }
        assert_eq!(word_index("zzz"), None);
        assert_eq!(word_index(""), None);
        // Longer than any list word: its first 8 letters match "abstract", its length does not.
        assert_eq!(word_index("abstractly"), None);
        // Nor does a word whose first letter and length both differ, by the same bits, from an
        // 8-letter word's ("`bstracts": 'a' ^ '`' == 8 ^ 9): letters and length are compared
        // apart, not folded into one difference.
        for word in words().filter(|(_, len)| *len == 8) {
            for len in 9..16u8 {
                let mut other = word.0.to_vec();
                other[0] ^= 8 ^ len;
                other.resize(usize::from(len), b'x');
                assert_eq!(word_index(core::str::from_utf8(&other).unwrap()), None, "{other:?}");
            }
        }
        let mut out = [0u16; 3];
        assert_eq!(word_indices(&["zoo", "abandon", "nope"], &mut out), Err(MnemonicError::UnknownWord(2)));
    }

    #[test]
    fn known_vectors() {
        // From substrate-bip39's tests: entropy, and the PBKDF2 seed with password "Substrate".
        let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow";
        let entropy = entropy_from_phrase(phrase).unwrap();
        assert_eq!(hex::encode(&*entropy), "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f");
        let mini = mini_secret_from_entropy(&entropy, "Substrate");
        assert_eq!(hex::encode(*mini), "4313249608fe8ac10fd5886c92c4579007272cb77c21551ee5b8d60b78041685");
        assert_eq!(
            entropy_from_phrase("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo"),
            Err(MnemonicError::InvalidChecksum)
        );
    }

    /// The review's measure of the word lookup: 24 × "abandon" (the first word) against 24 ×
    /// "zoo" (the last). Figures, not assertions: `cargo test --lib word_lookup_timing --
    /// --ignored --nocapture` (add `--release` for the optimised figures).
    #[test]
    #[ignore = "prints timings"]
    fn word_lookup_timing() {
        use std::hint::black_box;
        use std::time::Instant;
        for word in ["abandon", "letter", "zoo", "notaword"] {
            let phrase = [word; 24].join(" ");
            let mut times: Vec<_> = (0..301)
                .map(|_| {
                    let start = Instant::now();
                    let _ = black_box(entropy_from_phrase(black_box(&phrase)));
                    start.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!("24 × {word:<8}: median {:8.1} µs, fastest {:8.1} µs", times[150], times[0]);
        }
    }
}
