//! The in-wasm key (src/signer/keypair.rs, bip39.rs, sr25519_sign.rs) against the crates it
//! replaced, natively: schnorrkel, bip39 and substrate-bip39, and Substrate's own sp-core.
#![cfg(all(not(target_arch = "wasm32"), feature = "keypair"))]

use sp_core::crypto::Pair as _;
use sp_core::sr25519;
use x402_vara_wasm::error::ErrorCode;
use x402_vara_wasm::signer::bip39::{entropy_from_phrase, mini_secret_from_entropy, MnemonicError};
use x402_vara_wasm::signer::keypair::{KeyPolicy, Keypair};

const DEV: KeyPolicy = KeyPolicy { allow_development_keys: true };
const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).unwrap();
    bytes
}

fn random_below(n: usize) -> usize {
    u32::from_le_bytes(random()) as usize % n
}

/// schnorrkel's key for a mini secret, as substrate-bip39 and sp-core make it.
fn schnorrkel_public(mini: &schnorrkel::MiniSecretKey) -> [u8; 32] {
    mini.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519).public.to_bytes()
}

fn sp_core_public(suri: &str) -> [u8; 32] {
    sr25519::Pair::from_string(suri, None).unwrap_or_else(|e| panic!("{suri}: {e:?}")).public().0
}

#[test]
fn public_keys_of_secret_uris_match_sp_core() {
    let seed = format!("0x{}", hex::encode(random::<32>()));
    let mut suris: Vec<String> = [
        "//Alice",
        "//Bob",
        "//Alice/soft",
        "//Alice//stash",
        "//Alice/soft/1/2",
        "//Alice//hard/soft//hard2/soft2",
        "//Bob/0//1/18446744073709551615",
        "//Alice///pw",
        "//Alice/soft///pw",
        "//Alice//a/b///long password with spaces",
        "//Charlie//a-name-that-is-longer-than-thirty-two-bytes-so-hashed",
        "/soft",
        "//payments",
        "",
        "///pw",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for path in ["", "//hard", "/soft", "//hard/soft", "/soft//hard", "//1/2//3", "/a/b/c"] {
        for password in ["", "///pw", "///Pässwörd ✓"] {
            suris.push(format!("{PHRASE}{path}{password}"));
            suris.push(format!("{seed}{path}"));
        }
    }
    for suri in &suris {
        let ours = Keypair::from_suri_with(suri, DEV).unwrap_or_else(|e| panic!("{suri}: {e}"));
        assert_eq!(ours.public_key(), sp_core_public(suri), "{suri}");
    }
}

#[test]
fn random_paths_match_sp_core() {
    for _ in 0..40 {
        let mut suri = format!("0x{}", hex::encode(random::<32>()));
        for _ in 0..random_below(5) {
            let hard = random_below(2) == 0;
            let name = match random_below(3) {
                0 => random_below(1000).to_string(),
                1 => hex::encode(random::<3>()),
                _ => "x".repeat(1 + random_below(40)),
            };
            suri += &format!("{}{name}", if hard { "//" } else { "/" });
        }
        assert_eq!(Keypair::from_suri(&suri).unwrap().public_key(), sp_core_public(&suri), "{suri}");
    }
}

#[test]
fn mnemonics_match_bip39_substrate_bip39_and_sp_core() {
    for words in [12, 15, 18, 21, 24] {
        for round in 0..4 {
            let mut entropy = vec![0u8; words / 3 * 4];
            getrandom::getrandom(&mut entropy).unwrap();
            if round == 0 {
                entropy.fill(0);
            } else if round == 1 {
                entropy.fill(0xff);
            }
            let phrase = bip39::Mnemonic::from_entropy(&entropy).unwrap().to_string();
            assert_eq!(*entropy_from_phrase(&phrase).unwrap(), entropy, "{phrase}");
            for password in [None, Some("pw"), Some(""), Some("Pässwörd ✓")] {
                let pw = password.unwrap_or("");
                let theirs = substrate_bip39::mini_secret_from_entropy(&entropy, pw).unwrap();
                assert_eq!(*mini_secret_from_entropy(&entropy, pw), theirs.to_bytes());
                let ours = Keypair::from_mnemonic(&phrase, password).unwrap().public_key();
                assert_eq!(ours, schnorrkel_public(&theirs), "{phrase} {password:?}");
                assert_eq!(ours, sr25519::Pair::from_phrase(&phrase, password).unwrap().0.public().0);
            }
            // Any whitespace between the words, as the bip39 crate splits them.
            let spaced = format!("  {}\t", phrase.replace(' ', " \n "));
            assert_eq!(*entropy_from_phrase(&spaced).unwrap(), entropy);
        }
    }
}

/// What the bip39 crate says of a phrase, in our terms.
fn bip39_verdict(phrase: &str) -> Result<Vec<u8>, MnemonicError> {
    bip39::Mnemonic::parse_in_normalized(bip39::Language::English, phrase).map(|m| m.to_entropy()).map_err(
        |e| match e {
            bip39::Error::BadWordCount(n) => MnemonicError::BadWordCount(n),
            bip39::Error::UnknownWord(i) => MnemonicError::UnknownWord(i),
            bip39::Error::InvalidChecksum => MnemonicError::InvalidChecksum,
            other => panic!("unexpected {other:?}"),
        },
    )
}

fn ours(phrase: &str) -> Result<Vec<u8>, MnemonicError> {
    entropy_from_phrase(phrase).map(|e| e.to_vec())
}

#[test]
fn every_word_of_the_list_reads_as_the_bip39_crate_reads_it() {
    let list = bip39::Language::English.word_list();
    for (i, word) in list.iter().enumerate() {
        // Twelve times the same word: valid for some words, a checksum failure for most.
        let same = [*word; 12].join(" ");
        assert_eq!(ours(&same), bip39_verdict(&same), "{same}");
        // The word last, after 11 others: a valid phrase for one in 16 words.
        let mixed = (0..12).map(|j| list[(i + j * 97) % 2048]).collect::<Vec<_>>().join(" ");
        assert_eq!(ours(&mixed), bip39_verdict(&mixed), "{mixed}");
    }
}

#[test]
fn bad_phrases_fail_as_the_bip39_crate_fails() {
    let phrases = [
        "",
        "abandon",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon",
        "Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abou",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon aboutt",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon ａbout",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo",
        PHRASE,
        &PHRASE.replace("lake", "lakx"),
        &PHRASE.replace("bottom drive", "drive bottom"),
        &PHRASE.replace("walk", "walk walk walk"),
    ];
    for phrase in phrases {
        assert_eq!(ours(phrase), bip39_verdict(phrase), "{phrase}");
    }
    for count in 0..30 {
        let phrase = vec!["abandon"; count].join(" ");
        assert_eq!(ours(&phrase), bip39_verdict(&phrase), "{count} words");
    }
    // Random damage to valid phrases: a word replaced, two swapped.
    let list = bip39::Language::English.word_list();
    for _ in 0..300 {
        let phrase = bip39::Mnemonic::from_entropy(&random::<16>()).unwrap().to_string();
        let mut words: Vec<&str> = phrase.split(' ').collect();
        match random_below(3) {
            0 => words[random_below(12)] = list[random_below(2048)],
            1 => words.swap(random_below(12), random_below(12)),
            _ => words[random_below(12)] = "notaword",
        }
        let damaged = words.join(" ");
        assert_eq!(ours(&damaged), bip39_verdict(&damaged), "{damaged}");
    }
}

#[test]
fn mnemonic_errors_keep_their_codes_and_messages() {
    let cases = [
        (PHRASE.replace("lake", "lakx"), "could not derive a key: word 4 of 12 is not in the BIP39 English word list"),
        (
            PHRASE.replace("bottom drive", "drive bottom"),
            "could not derive a key: the words are all valid but the checksum fails (a word is wrong or out of order)",
        ),
        (
            "bottom drive".to_string(),
            "could not derive a key: a mnemonic has 12, 15, 18, 21 or 24 words, this one has 2",
        ),
        (
            "Alice".to_string(),
            "could not derive a key: a mnemonic has 12, 15, 18, 21 or 24 words, this one has 1, did you mean //Alice?",
        ),
    ];
    for (phrase, message) in cases {
        let e = Keypair::from_mnemonic(&phrase, Some("pw")).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::InvalidSecret, message));
    }
}

#[test]
fn signatures_verify_with_schnorrkel_and_sp_core() {
    for suri in ["//Alice", "//Alice/soft", "//Bob//stash/1", &format!("{PHRASE}//x/y///pw")] {
        let ours = Keypair::from_suri(suri).unwrap();
        let theirs = sr25519::Pair::from_string(suri, None).unwrap();
        let public = schnorrkel::PublicKey::from_bytes(&ours.public_key()).unwrap();
        for message in [&b""[..], b"x402 payment", &[9u8; 300]] {
            let signature = ours.sign_raw(message);
            assert!(sr25519::Pair::verify(&sr25519::Signature::from_raw(signature), message, &theirs.public()));
            let parsed = schnorrkel::Signature::from_bytes(&signature).unwrap();
            assert!(public.verify_simple(b"substrate", message, &parsed).is_ok(), "{suri}");
            assert!(public.verify_simple(b"substrate", b"else", &parsed).is_err());
            let theirs_signed = theirs.sign(message);
            assert!(x402_vara_wasm::signer::sr25519::verify(&ours.public_key(), message, &theirs_signed.0));
            assert!(!x402_vara_wasm::signer::sr25519::verify(&ours.public_key(), b"else", &theirs_signed.0));
        }
    }
}
