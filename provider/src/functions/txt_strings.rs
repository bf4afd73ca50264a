//! `provider::r53::txt_strings(text)`.

use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};

use super::text_arg;

pub(crate) struct TxtStrings;

impl Function for TxtStrings {
    fn name(&self) -> &'static str {
        "txt_strings"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![Param::new(
                "text",
                Type::String,
                "The logical text, e.g. a whole DKIM public key record.",
            )],
            returns: Type::list(Type::String),
            summary: "Splits text into DNS character strings of at most 255 bytes.",
            description: "A TXT value is a sequence of character strings of at most 255 bytes each; longer text \
                such as a 2048-bit DKIM key must be split. Returns the strings in order, never cutting a UTF-8 \
                character in half (empty text is one empty string). `r53_record` splits TXT values itself; this \
                is for other tools and modules that need the parts. At most 65,535 bytes.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let text = text_arg(args, 0)?;
        Ok(Value::List(
            r53_zone::rdata::text_strings(text)
                .into_iter()
                .map(Value::string)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, s};
    use super::*;

    #[test]
    fn a_dkim_key_is_split_at_255_bytes() {
        let key = format!("v=DKIM1; k=rsa; p={}", "M".repeat(392));
        let v = call(&TxtStrings, &[s(&key)]).unwrap();
        let parts: Vec<&str> = v.elements().iter().filter_map(Value::as_str).collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![255, 155]
        );
        assert_eq!(parts.concat(), key);
    }

    #[test]
    fn too_long_text_is_refused() {
        let (at, text) = err_at(&TxtStrings, &[s(&"x".repeat(super::super::MAX_TEXT + 1))]);
        assert_eq!(at, Some(0));
        assert!(text.contains("65535"), "{text}");
    }
}
