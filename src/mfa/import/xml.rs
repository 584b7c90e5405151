//! Small helpers over `roxmltree` for reading PSKC: elements are matched by local name, because
//! RFC 6030's own PBKDF2 example puts `Salt`, `IterationCount`, … unprefixed inside
//! `pkcs5:PBKDF2-params` (`otp.md` §8.1); base64 text may carry whitespace and line breaks.

use roxmltree::Node;
use zeroize::Zeroizing;

/// The first child element with this local name.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// Every child element with this local name.
pub(crate) fn children<'a, 'i, 'n>(
    node: Node<'a, 'i>,
    name: &'n str,
) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i, 'n> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The element's own text (its text children joined), trimmed.
pub(crate) fn text(node: Node<'_, '_>) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for part in node.children().filter_map(|n| n.is_text().then(|| n.text()).flatten()) {
        out.push_str(part);
    }
    let trimmed = out.trim();
    if trimmed.len() != out.len() {
        return Zeroizing::new(trimmed.to_owned());
    }
    out
}

/// Text of the named child, if the child exists.
pub(crate) fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|n| text(n).as_str().to_owned())
}

/// Text of the named child if the child exists and its text is not empty.
pub(crate) fn child_text_nonempty(node: Node<'_, '_>, name: &str) -> Option<String> {
    child_text(node, name).filter(|t| !t.is_empty())
}

/// base64 (RFC 4648 §4) with all whitespace removed first; padding may be omitted.
pub(crate) fn base64(value: &str) -> Option<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<String> = Zeroizing::new(value.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    data_encoding::BASE64
        .decode(compact.as_bytes())
        .or_else(|_| data_encoding::BASE64_NOPAD.decode(compact.as_bytes()))
        .ok()
        .map(Zeroizing::new)
}

/// Text from the file for a message: quoted, escaped and cut at 80 characters so a hostile file
/// cannot flood the report.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() > MAX {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_joins_and_trims() {
        let doc = roxmltree::Document::parse("<a><b>\n  MTIz<!-- c -->NA==\n </b></a>").unwrap();
        let b = child(doc.root_element(), "b").unwrap();
        assert_eq!(text(b).as_str(), "MTIzNA==");
        assert_eq!(base64(&text(b)).unwrap().as_slice(), b"1234");
    }

    #[test]
    fn base64_ignores_line_breaks_and_missing_padding() {
        assert_eq!(base64(" MTIz\r\n NA== ").unwrap().as_slice(), b"1234");
        assert_eq!(base64("MTIzNA").unwrap().as_slice(), b"1234");
        assert!(base64("MTI*NA==").is_none());
    }

    #[test]
    fn shown_quotes_and_cuts() {
        assert_eq!(shown("a\"b"), "\"a\\\"b\"");
        let long = "x".repeat(200);
        assert!(shown(&long).chars().count() < 90);
    }
}
