//! An sr25519 key held inside the wasm (Substrate's signing context; see
//! [`super::sr25519_sign`] and [`super::bip39`]). Secret material is zeroized on drop and
//! never shown by `Debug` or any error.

use super::bip39::{self, MnemonicError};
use super::sr25519_sign::SecretKey;
use super::suri::{self, Junction};
use super::{SignOutcome, Signer, SR25519_TYPE_BYTE};
use crate::error::{Error, ErrorCode, Result};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;
use zeroize::Zeroizing;

pub struct Keypair {
    secret: SecretKey,
    public: [u8; 32],
}

impl core::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Keypair {{ public: {}, secret: <redacted> }}", crate::hexutil::encode(&self.public_key()))
    }
}

fn secret_error(what: &str) -> Error {
    // Never echo the input: it is a secret.
    Error::new(ErrorCode::InvalidSecret, format!("could not derive a key: {what}"))
}

/// Whether publicly known keys may be made: the bare development phrase (an empty SURI, often
/// an unset environment variable) or an all-zero seed. Naming a development account
/// (`//Alice`) is always allowed: that choice is explicit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyPolicy {
    pub allow_development_keys: bool,
}

fn public_key_error(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidSecret,
        format!("{what}: anyone can sign with this key. Pass {{ allowDevelopmentKeys: true }} if you mean a development key"),
    )
}

/// Explains a BIP39 failure without echoing any of the phrase.
fn mnemonic_error(e: MnemonicError, phrase: &str) -> Error {
    let words = phrase.split_whitespace().count();
    let why = match e {
        MnemonicError::UnknownWord(i) => format!("word {} of {words} is not in the BIP39 English word list", i + 1),
        MnemonicError::BadWordCount(n) => format!("a mnemonic has 12, 15, 18, 21 or 24 words, this one has {n}"),
        MnemonicError::InvalidChecksum => {
            "the words are all valid but the checksum fails (a word is wrong or out of order)".to_string()
        }
    };
    let hint = match phrase.trim() {
        one if words == 1 && super::suri::DEV_ACCOUNTS.iter().any(|d| d.eq_ignore_ascii_case(one)) => {
            ", did you mean //".to_string() + one + "?"
        }
        _ => String::new(),
    };
    secret_error(&format!("{why}{hint}"))
}

/// A 32-byte seed from its 64 hex digits (no `0x`), decoded without a branch on the digits and
/// straight into memory that is wiped on drop: no copy is left behind, not even a partial one
/// when the text is not hex.
pub fn seed_from_hex(digits: &str) -> Result<Zeroizing<[u8; 32]>> {
    let digits = digits.as_bytes();
    if digits.len() != 64 {
        return Err(secret_error("a hex seed must be 32 bytes of hex"));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    let mut invalid = 0u8;
    for (byte, pair) in seed.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, high_invalid) = nibble(pair[0]);
        let (low, low_invalid) = nibble(pair[1]);
        *byte = high << 4 | low;
        invalid |= high_invalid | low_invalid;
    }
    if invalid != 0 {
        return Err(secret_error("a hex seed must be 32 bytes of hex"));
    }
    Ok(seed)
}

/// One hex digit's value, and 0xff when `c` is not a hex digit (else 0), with no branch: each
/// range test is the sign of two differences.
fn nibble(c: u8) -> (u8, u8) {
    let c = i16::from(c);
    let within = |low: i16, high: i16| ((low - 1 - c) & (c - high - 1)) >> 15; // -1 inside, else 0
    let (digit, lower, upper) = (within(48, 57), within(97, 102), within(65, 70));
    let value = (digit & (c - 48)) | (lower & (c - 87)) | (upper & (c - 55));
    (value as u8, !((digit | lower | upper) as u8))
}

impl Keypair {
    /// From a 32-byte mini secret seed (what polkadot-js calls a seed).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        Self::from_seed_with(seed, KeyPolicy::default())
    }

    pub fn from_seed_with(seed: &[u8], policy: KeyPolicy) -> Result<Self> {
        if seed.len() == 32 && seed.iter().all(|b| *b == 0) && !policy.allow_development_keys {
            return Err(public_key_error("the seed is all zeros"));
        }
        let mini: &[u8; 32] = seed.try_into().map_err(|_| secret_error("a seed must be 32 bytes"))?;
        Ok(Self::from_secret(SecretKey::from_mini_secret(mini)))
    }

    fn from_secret(secret: SecretKey) -> Self {
        let public = secret.public();
        Keypair { secret, public }
    }

    /// From a BIP39 mnemonic (English word list) and an optional password, as Substrate does
    /// (entropy → PBKDF2, not the BIP39 seed).
    pub fn from_mnemonic(phrase: &str, password: Option<&str>) -> Result<Self> {
        let entropy = bip39::entropy_from_phrase(phrase).map_err(|e| mnemonic_error(e, phrase))?;
        let mini = bip39::mini_secret_from_entropy(&entropy, password.unwrap_or(""));
        Ok(Self::from_secret(SecretKey::from_mini_secret(&mini)))
    }

    /// From a SURI: `//Alice`, `<mnemonic>//hard/soft///password`, or `0x<seed>//path`.
    pub fn from_suri(text: &str) -> Result<Self> {
        Self::from_suri_with(text, KeyPolicy::default())
    }

    pub fn from_suri_with(text: &str, policy: KeyPolicy) -> Result<Self> {
        let suri = suri::parse(text)?;
        if suri.development && !suri.names_dev_account && !policy.allow_development_keys {
            return Err(public_key_error(
                "this secret URI has no phrase, so it derives from the public development phrase (is an environment variable empty?)",
            ));
        }
        let root = if let Some(digits) = suri.phrase.strip_prefix("0x") {
            Self::from_seed_with(&*seed_from_hex(digits)?, policy)?
        } else {
            Self::from_mnemonic(&suri.phrase, suri.password.as_ref().map(|p| p.as_str()))?
        };
        Ok(root.derive(&suri.path))
    }

    fn derive(self, path: &[Junction]) -> Self {
        path.iter().fold(self, |key, junction| match junction {
            Junction::Soft(cc) => Self::from_secret(key.secret.derive_soft(&key.public, cc)),
            Junction::Hard(cc) => Self::from_secret(key.secret.derive_hard(cc)),
        })
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// A raw 64-byte sr25519 signature under the Substrate context.
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.secret.sign(&self.public, message)
    }
}

impl Signer for Keypair {
    fn account(&self) -> Result<AccountId> {
        Ok(AccountId(self.public_key()))
    }

    async fn sign(&self, _payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome> {
        let mut signature = Vec::with_capacity(65);
        signature.push(SR25519_TYPE_BYTE);
        signature.extend_from_slice(&self.sign_raw(signing_bytes));
        Ok(SignOutcome { signature, metadata_hash: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    const BOB: &str = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";

    #[test]
    fn dev_accounts_have_their_well_known_keys() {
        assert_eq!(hex::encode(Keypair::from_suri("//Alice").unwrap().public_key()), ALICE);
        assert_eq!(hex::encode(Keypair::from_suri("//Bob").unwrap().public_key()), BOB);
    }

    #[test]
    fn sign_and_verify_round_trip() {
        let k = Keypair::from_suri("//Alice").unwrap();
        let sig = k.sign_raw(b"payload");
        assert!(crate::signer::sr25519::verify(&k.public_key(), b"payload", &sig));
        assert!(!crate::signer::sr25519::verify(&k.public_key(), b"other", &sig));
    }

    #[test]
    fn bad_secrets_are_typed_and_not_echoed() {
        let e = Keypair::from_suri("correct horse battery staple").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSecret);
        assert!(!e.message.contains("horse"));
        assert_eq!(Keypair::from_seed(&[1u8; 31]).unwrap_err().code, ErrorCode::InvalidSecret);
        assert_eq!(Keypair::from_suri("0x1234").unwrap_err().code, ErrorCode::InvalidSecret);
    }

    #[test]
    fn publicly_known_keys_need_consent() {
        let allowed = KeyPolicy { allow_development_keys: true };
        for bare in ["", "   ", "///", "//payments"] {
            assert_eq!(Keypair::from_suri(bare).unwrap_err().code, ErrorCode::InvalidSecret, "{bare:?}");
            assert!(Keypair::from_suri_with(bare, allowed).is_ok(), "{bare:?}");
        }
        assert!(Keypair::from_seed(&[0u8; 32]).is_err());
        assert!(Keypair::from_suri(&format!("0x{}", "00".repeat(32))).is_err());
        assert!(Keypair::from_suri("//Alice//stash").is_ok());
    }

    #[test]
    fn mnemonic_errors_say_what_is_wrong_without_the_words() {
        let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
        let typo = phrase.replace("lake", "lakx");
        let e = Keypair::from_mnemonic(&typo, None).unwrap_err();
        assert!(e.message.contains("word 4 of 12"), "{}", e.message);
        assert!(!e.message.contains("lakx") && !e.message.contains("bottom"));
        let swapped = phrase.replace("bottom drive", "drive bottom");
        assert!(Keypair::from_mnemonic(&swapped, None).unwrap_err().message.contains("checksum"));
        let short = phrase.rsplit_once(' ').unwrap().0;
        assert!(Keypair::from_mnemonic(short, None).unwrap_err().message.contains("has 11"));
        assert!(Keypair::from_suri("Alice").unwrap_err().message.contains("did you mean //Alice?"));
    }

    #[test]
    fn hex_seeds_decode_as_the_hex_crate_decodes_them() {
        for c in 0..=255u8 {
            let (value, invalid) = nibble(c);
            match (c as char).to_digit(16) {
                Some(d) => assert_eq!((value, invalid), (d as u8, 0), "{c}"),
                None => assert_eq!(invalid, 0xff, "{c}"),
            }
        }
        let mut bytes = [0u8; 32];
        for i in 0..200u8 {
            let text: String = (0..64)
                .map(|j| b"0123456789abcdefABCDEFxg"[(i as usize * 7 + j * 13) % (22 + 2 * (i as usize % 2))] as char)
                .collect();
            let theirs = hex::decode_to_slice(&text, &mut bytes).map(|()| bytes);
            assert_eq!(seed_from_hex(&text).map(|s| *s).ok(), theirs.ok(), "{text}");
        }
        assert!(seed_from_hex(&"ab".repeat(31)).is_err() && seed_from_hex(&"ab".repeat(33)).is_err());
        assert_eq!(*seed_from_hex(&"aB".repeat(32)).unwrap(), [0xab; 32]);
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let k = Keypair::from_seed(&[7u8; 32]).unwrap();
        let shown = format!("{k:?}");
        assert!(shown.contains("redacted") && !shown.contains(&hex::encode([7u8; 32])));
    }
}
