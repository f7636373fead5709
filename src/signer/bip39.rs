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

/// The words of the list in order, each as (letters, length); the longest has 8 letters.
pub(crate) fn words() -> impl Iterator<Item = ([u8; 8], usize)> {
    let mut word = [0u8; 8];
    let mut bytes = ENGLISH.iter().copied().filter(u8::is_ascii_alphanumeric).peekable();
    core::iter::from_fn(move || {
        let mut len = usize::from(bytes.next()? - b'0'); // the shared prefix
        while let Some(letter) = bytes.next_if(u8::is_ascii_lowercase) {
            word[len] = letter;
            len += 1;
        }
        Some((word, len))
    })
}

/// The index of `word` in the English list (a walk over the sorted list, stopping early).
fn word_index(word: &str) -> Option<u16> {
    let word = word.as_bytes();
    for (i, (letters, len)) in words().enumerate() {
        match letters[..len].cmp(word) {
            core::cmp::Ordering::Less => continue,
            core::cmp::Ordering::Equal => return Some(i as u16),
            core::cmp::Ordering::Greater => return None,
        }
    }
    None
}

/// The entropy (16 to 32 bytes) a phrase of 12 to 24 English words encodes, as the `bip39`
/// crate's `Mnemonic::parse_in_normalized(English, _)` then `to_entropy()` give it: words
/// split on whitespace and matched exactly, the count checked first, then each word, then the
/// checksum (the first `words / 3` bits of SHA-256 of the entropy).
pub fn entropy_from_phrase(phrase: &str) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    let count = phrase.split_whitespace().count();
    if !(12..=24).contains(&count) || count % 3 != 0 {
        return Err(MnemonicError::BadWordCount(count));
    }
    // 11 bits a word: entropy then checksum, packed big-endian (at most 33 bytes).
    let mut bits = Zeroizing::new([0u8; 33]);
    for (i, word) in phrase.split_whitespace().enumerate() {
        let index = word_index(word).ok_or(MnemonicError::UnknownWord(i))?;
        for bit in 0..11 {
            if index >> (10 - bit) & 1 == 1 {
                let at = i * 11 + bit;
                bits[at / 8] |= 0x80 >> (at % 8);
            }
        }
    }
    let entropy_len = count / 3 * 4;
    let mut check = Sha256::digest(&bits[..entropy_len]);
    let checksum_bits = count / 3; // at most 8: all in the byte after the entropy
    let mask = (0xff00u16 >> checksum_bits) as u8; // the top `checksum_bits` bits
    let valid = bits[entropy_len] & mask == check[0] & mask;
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
            for (i, word) in theirs.iter().enumerate() {
                assert_eq!(word_index(word), Some(i as u16), "{word}");
                assert_eq!(word_index(&word.to_uppercase()), None, "matched exactly, as the bip39 crate does");
                assert_eq!(
                    word_index(&word[..word.len() - 1]),
                    ::bip39::Language::English.find_word(&word[..word.len() - 1])
                );
            }
        }
        assert_eq!(word_index("zzz"), None);
        assert_eq!(word_index(""), None);
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
}
