// C++ model of pytest_trtcache/reference/kernels.py: the same wire format, byte for byte.
//
//   magic   4 bytes  "TRTC"
//   version u16      kFormatVersion
//   flags   u16      0
//   count   u32      number of entries
//   entries count x (u32 key_len, key, u32 value_len, value), sorted by key
//   crc32   u32      zlib.crc32 of everything above
//
// All integers little-endian. No entries serializes to zero bytes. Decode errors are
// raised with TORCH_CHECK_VALUE (a python ValueError, like kernels.CacheFormatError)
// and carry the same messages as kernels.decode.
#pragma once

#include <c10/util/Exception.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace trtcache {
namespace kernels {

constexpr char kMagic[4] = {'T', 'R', 'T', 'C'};
constexpr uint16_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 12;
constexpr size_t kTrailerSize = 4;

// std::string orders like python bytes: char_traits<char> compares as unsigned char.
using Entries = std::map<std::string, std::string>;

// zlib-compatible CRC-32 (reflected polynomial 0xEDB88320, init and final xor ~0).
inline uint32_t crc32(const char* data, size_t size) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) {
        c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      }
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc = table[(crc ^ static_cast<uint8_t>(data[i])) & 0xFFu] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

inline void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFFu));
  out.push_back(static_cast<char>((v >> 8) & 0xFFu));
}

inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
  }
}

inline uint16_t get_u16(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | (static_cast<uint8_t>(s[at + 1]) << 8));
}

inline uint32_t get_u32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  }
  return v;
}

inline uint32_t checked_u32(size_t n, const char* what) {
  TORCH_CHECK_VALUE(n <= 0xFFFFFFFFull, "runtime cache ", what, " too large for the format: " + std::to_string(n) + " bytes");
  return static_cast<uint32_t>(n);
}

// Python's repr() of a bytes object (used for the magic in error messages).
inline std::string bytes_repr(const std::string& b) {
  const bool has_single = b.find('\'') != std::string::npos;
  const bool has_double = b.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  static const char* hex = "0123456789abcdef";
  std::string out = "b";
  out.push_back(quote);
  for (char ch : b) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == static_cast<uint8_t>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back(quote);
  return out;
}

// The canonical blob for `entries` (kernels.encode).
inline std::string encode(const Entries& entries) {
  if (entries.empty()) {
    return std::string();
  }
  std::string out(kMagic, sizeof(kMagic));
  put_u16(out, kFormatVersion);
  put_u16(out, 0);
  put_u32(out, checked_u32(entries.size(), "entry count"));
  for (const auto& kv : entries) {
    put_u32(out, checked_u32(kv.first.size(), "key"));
    out += kv.first;
    put_u32(out, checked_u32(kv.second.size(), "value"));
    out += kv.second;
  }
  put_u32(out, crc32(out.data(), out.size()));
  return out;
}

// Parse a blob into `entries` (kernels.decode). Returns false and sets `error` (the same
// words as kernels.decode) instead of throwing: materialize() drains corrupt bytes with it.
// Messages are built with std::to_string, not c10::str: streaming a size_t through
// ostringstream segfaulted in this extension under torch 2.11 (g++ 13.3, Python 3.12).
inline bool decode_into(const std::string& blob, Entries& entries, std::string& error) {
  entries.clear();
  if (blob.empty()) {
    return true;
  }
  if (blob.size() < kHeaderSize + kTrailerSize) {
    error = "runtime cache blob truncated: " + std::to_string(blob.size()) + " bytes, header needs " +
        std::to_string(kHeaderSize + kTrailerSize);
    return false;
  }
  const std::string magic = blob.substr(0, 4);
  if (magic != std::string(kMagic, sizeof(kMagic))) {
    error = "not a runtime cache blob: magic " + bytes_repr(magic) + ", expected " + bytes_repr(std::string(kMagic, sizeof(kMagic)));
    return false;
  }
  const uint16_t version = get_u16(blob, 4);
  if (version != kFormatVersion) {
    error = "unsupported runtime cache format version " + std::to_string(version) + " (this build reads " +
        std::to_string(kFormatVersion) + ")";
    return false;
  }
  const uint32_t count = get_u32(blob, 8);
  const size_t end = blob.size() - kTrailerSize;
  if (crc32(blob.data(), end) != get_u32(blob, end)) {
    error = "runtime cache blob checksum mismatch (corrupt or truncated)";
    return false;
  }
  size_t offset = kHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    std::string key;
    for (int field = 0; field < 2; ++field) {
      if (offset + 4 > end) {
        error = "runtime cache blob truncated inside an entry";
        return false;
      }
      const size_t size = get_u32(blob, offset);
      offset += 4;
      if (offset + size > end) {
        error = "runtime cache blob truncated inside an entry";
        return false;
      }
      if (field == 0) {
        key = blob.substr(offset, size);
      } else {
        entries[key] = blob.substr(offset, size);
      }
      offset += size;
    }
  }
  if (offset != end) {
    error = "runtime cache blob has " + std::to_string(end - offset) + " trailing bytes after " + std::to_string(count) + " entries";
    return false;
  }
  return true;
}

// Parse a blob (kernels.decode); throws c10::ValueError naming what is wrong.
inline Entries decode(const std::string& blob) {
  Entries entries;
  std::string error;
  TORCH_CHECK_VALUE(decode_into(blob, entries, error), error);
  return entries;
}

// Stand-in for trt::IRuntimeCache (kernels.KernelCache). Not locked itself: the handle
// that owns it holds its mutex around every call.
class KernelCache {
 public:
  std::string serialize() const {
    return encode(entries_);
  }

  // Merge a blob's entries (later values win); a corrupt blob changes nothing.
  void deserialize(const std::string& blob) {
    merge(decode(blob));
  }

  // The same without throwing: false (and `error` set) for a corrupt blob.
  bool try_deserialize(const std::string& blob, std::string& error) {
    Entries incoming;
    if (!decode_into(blob, incoming, error)) {
      return false;
    }
    merge(std::move(incoming));
    return true;
  }

  void add_entry(const std::string& key, const std::string& value) {
    entries_[key] = value;
  }

  const Entries& entries() const {
    return entries_;
  }

 private:
  void merge(Entries incoming) {
    for (auto& kv : incoming) {
      entries_[kv.first] = std::move(kv.second);
    }
  }

  Entries entries_;
};

} // namespace kernels
} // namespace trtcache
