//! Descriptors of the PMT's program and ES loops (ISO/IEC 13818-1 §2.6, ETSI EN 300 468 §6.2).
//!
//! Only what the engine acts on is decoded; every descriptor keeps its raw bytes so the multiplexer can copy
//! language information verbatim. Iteration stops at the first descriptor whose length runs past the loop.

/// descriptor_tag values the engine understands.
pub mod tag {
    pub const REGISTRATION: u8 = 0x05;
    pub const CA: u8 = 0x09;
    pub const ISO_639_LANGUAGE: u8 = 0x0A;
    pub const TELETEXT: u8 = 0x56;
    pub const SUBTITLING: u8 = 0x59;
    pub const AC3: u8 = 0x6A;
    pub const ENHANCED_AC3: u8 = 0x7A;
    pub const AAC: u8 = 0x7C;
}

/// One descriptor: `descriptor_tag`, and the `descriptor_length` bytes that follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor<'a> {
    pub tag: u8,
    pub body: &'a [u8],
}

/// Iterates over a descriptor loop.
pub fn descriptors(mut data: &[u8]) -> impl Iterator<Item = Descriptor<'_>> {
    std::iter::from_fn(move || {
        let (&tag, rest) = data.split_first()?;
        let (&length, rest) = rest.split_first()?;
        let body = rest.get(..usize::from(length))?;
        data = &rest[usize::from(length)..];
        Some(Descriptor { tag, body })
    })
}

/// An ISO 639-2 language code, lower-cased; `und` when the descriptor held something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Language([u8; 3]);

impl Language {
    pub const UNDETERMINED: Language = Language(*b"und");

    pub fn new(code: [u8; 3]) -> Self {
        if code.iter().all(u8::is_ascii_alphabetic) {
            Language(code.map(|b| b.to_ascii_lowercase()))
        } else {
            Self::UNDETERMINED
        }
    }

    /// Parses a 3-letter code given by a user (`"deu"`, `"GER"`).
    pub fn parse(code: &str) -> Option<Self> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| Self::new(bytes))
    }

    pub fn code(&self) -> [u8; 3] {
        self.0
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("und")
    }

    /// The terminology (ISO 639-2/T) form: broadcasters use both `ger` and `deu` for German.
    pub fn canonical(&self) -> Language {
        const BIBLIOGRAPHIC: [(&[u8; 3], &[u8; 3]); 20] = [
            (b"alb", b"sqi"),
            (b"arm", b"hye"),
            (b"baq", b"eus"),
            (b"bur", b"mya"),
            (b"chi", b"zho"),
            (b"cze", b"ces"),
            (b"dut", b"nld"),
            (b"fre", b"fra"),
            (b"geo", b"kat"),
            (b"ger", b"deu"),
            (b"gre", b"ell"),
            (b"ice", b"isl"),
            (b"mac", b"mkd"),
            (b"mao", b"mri"),
            (b"may", b"msa"),
            (b"per", b"fas"),
            (b"rum", b"ron"),
            (b"slo", b"slk"),
            (b"tib", b"bod"),
            (b"wel", b"cym"),
        ];
        BIBLIOGRAPHIC
            .iter()
            .find(|(b, _)| **b == self.0)
            .map_or(*self, |(_, t)| Language(**t))
    }

    /// Same language, whichever ISO 639-2 form either side uses.
    pub fn matches(&self, other: &Language) -> bool {
        self.canonical() == other.canonical()
    }
}

/// audio_type of the ISO 639 language descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AudioType(pub u8);

impl AudioType {
    pub const UNDEFINED: AudioType = AudioType(0);
    pub const CLEAN_EFFECTS: AudioType = AudioType(1);
    pub const HEARING_IMPAIRED: AudioType = AudioType(2);
    pub const VISUAL_IMPAIRED_COMMENTARY: AudioType = AudioType(3);
}

/// First entry of an ISO_639_language_descriptor (§2.6.18).
pub fn iso_639_language(body: &[u8]) -> Option<(Language, AudioType)> {
    let entry = body.get(..4)?;
    Some((
        Language::new([entry[0], entry[1], entry[2]]),
        AudioType(entry[3]),
    ))
}

/// format_identifier of a registration_descriptor (§2.6.8), e.g. `AC-3`, `EAC3`, `HEVC`.
pub fn registration(body: &[u8]) -> Option<[u8; 4]> {
    body.get(..4)?.try_into().ok()
}

/// Writes an ISO_639_language_descriptor with one entry.
pub fn write_iso_639(out: &mut Vec<u8>, language: Language, audio_type: AudioType) {
    out.extend_from_slice(&[tag::ISO_639_LANGUAGE, 4]);
    out.extend_from_slice(&language.code());
    out.push(audio_type.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_and_stops_at_a_truncated_descriptor() {
        let data = [0x0A, 4, b'd', b'e', b'u', 0, 0x6A, 1, 0x00, 0x56, 10, 1];
        let found: Vec<_> = descriptors(&data).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].tag, tag::ISO_639_LANGUAGE);
        assert_eq!(
            found[1],
            Descriptor {
                tag: tag::AC3,
                body: &[0]
            }
        );
    }

    #[test]
    fn language_descriptor_roundtrips() {
        let mut out = Vec::new();
        write_iso_639(
            &mut out,
            Language::parse("eng").unwrap(),
            AudioType::VISUAL_IMPAIRED_COMMENTARY,
        );
        let descriptor = descriptors(&out).next().unwrap();
        let (language, audio_type) = iso_639_language(descriptor.body).unwrap();
        assert_eq!(language.as_str(), "eng");
        assert_eq!(audio_type, AudioType::VISUAL_IMPAIRED_COMMENTARY);
    }

    #[test]
    fn bibliographic_and_terminology_codes_match() {
        assert!(
            Language::parse("GER")
                .unwrap()
                .matches(&Language::parse("deu").unwrap())
        );
        assert!(
            !Language::parse("eng")
                .unwrap()
                .matches(&Language::parse("deu").unwrap())
        );
        assert_eq!(Language::new([0, 1, 2]), Language::UNDETERMINED);
    }
}
