#pragma once
// The EAS WBXML codec: code pages (cp::<page>::<Tag>), decoding into a Document, and the
// streaming Encoder. The XML bridge for logs and tools is in eas/wbxml/xml.hpp.
#include "eas/wbxml/code_pages.hpp"
#include "eas/wbxml/document.hpp"
#include "eas/wbxml/encoder.hpp"
#include "eas/wbxml/tokenizer.hpp"
