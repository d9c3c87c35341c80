//===- WeightsObject.cpp - a model's weights as an ELF object file --------===//
//
// Sections: [1] .rodata.tfc_weights (the weights), [2] .note.GNU-stack
// (empty: no executable stack), [3] .symtab, [4] .strtab, [5] .shstrtab.
//
//===----------------------------------------------------------------------===//
#include "WeightsObject.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace ::tfc::runtime;
namespace ELF = llvm::ELF;

namespace {
/// Byte offsets in the ELF64 file header.
constexpr size_t kMachineAt = 18, kFlagsAt = 48, kHeaderBytes = 64;
constexpr uint64_t kAlign = 64;

struct SectionHeader {
  uint32_t name = 0, type = ELF::SHT_NULL;
  uint64_t flags = 0, offset = 0, size = 0;
  uint32_t link = 0, info = 0;
  uint64_t align = 0, entrySize = 0;
};
} // namespace

std::vector<uint64_t>
tfc::runtime::weightOffsets(llvm::ArrayRef<WeightBlob> weights) {
  std::vector<uint64_t> offsets;
  uint64_t end = 0;
  for (const WeightBlob &w : weights) {
    offsets.push_back(llvm::alignTo(end, kAlign));
    end = offsets.back() + w.bytes;
  }
  return offsets;
}

bool tfc::runtime::writeWeightsObject(llvm::StringRef path,
                                      llvm::StringRef objectHeader,
                                      llvm::ArrayRef<WeightBlob> weights,
                                      llvm::ArrayRef<uint64_t> offsets,
                                      std::string &error) {
  const auto *header =
      reinterpret_cast<const unsigned char *>(objectHeader.data());
  if (objectHeader.size() < kHeaderBytes ||
      std::memcmp(header, ELF::ElfMagic, 4) != 0 ||
      header[ELF::EI_CLASS] != ELF::ELFCLASS64 ||
      header[ELF::EI_DATA] != ELF::ELFDATA2LSB) {
    error = "the target's object files are not 64-bit little-endian ELF; "
            "the weights object needs that";
    return false;
  }
  uint16_t machine = header[kMachineAt] | header[kMachineAt + 1] << 8;
  uint32_t flags = 0;
  for (int i = 3; i >= 0; --i)
    flags = flags << 8 | header[kFlagsAt + i];
  uint64_t dataBytes =
      weights.empty() ? 0 : offsets.back() + weights.back().bytes;
  dataBytes = std::max<uint64_t>(dataBytes, 1); // keeps the symbol defined
  const char strtab[] = "\0tfc_weights_blob";
  const char shstrtab[] =
      "\0.rodata.tfc_weights\0.note.GNU-stack\0.symtab\0.strtab\0.shstrtab";
  const uint64_t symBytes = 2 * sizeof(llvm::ELF::Elf64_Sym);
  uint64_t dataAt = kAlign; // after the file header
  uint64_t symtabAt = llvm::alignTo(dataAt + dataBytes, 8);
  uint64_t strtabAt = symtabAt + symBytes;
  uint64_t shstrtabAt = strtabAt + sizeof(strtab);
  uint64_t sectionsAt = llvm::alignTo(shstrtabAt + sizeof(shstrtab), 8);
  // A section's name: its offset in shstrtab.
  auto name = [&](const char *s) {
    return (uint32_t)llvm::StringRef(shstrtab, sizeof(shstrtab)).find(s);
  };
  SectionHeader sections[6];
  sections[1] = {name(".rodata.tfc_weights"),
                 ELF::SHT_PROGBITS,
                 ELF::SHF_ALLOC,
                 dataAt,
                 dataBytes,
                 0,
                 0,
                 kAlign,
                 0};
  sections[2] = {
      name(".note.GNU-stack"), ELF::SHT_PROGBITS, 0, symtabAt, 0, 0, 0, 1, 0};
  sections[3] = {name(".symtab"),
                 ELF::SHT_SYMTAB,
                 0,
                 symtabAt,
                 symBytes,
                 /*link: .strtab*/ 4,
                 /*first global*/ 1,
                 8,
                 sizeof(llvm::ELF::Elf64_Sym)};
  sections[4] = {name(".strtab"),
                 ELF::SHT_STRTAB,
                 0,
                 strtabAt,
                 sizeof(strtab),
                 0,
                 0,
                 1,
                 0};
  sections[5] = {name(".shstrtab"),
                 ELF::SHT_STRTAB,
                 0,
                 shstrtabAt,
                 sizeof(shstrtab),
                 0,
                 0,
                 1,
                 0};

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  llvm::support::endian::Writer out(os, llvm::endianness::little);
  auto padTo = [&](uint64_t at) { os.write_zeros(at - os.tell()); };

  // File header.
  os.write(ELF::ElfMagic, 4);
  out.write<uint8_t>(ELF::ELFCLASS64);
  out.write<uint8_t>(ELF::ELFDATA2LSB);
  out.write<uint8_t>(ELF::EV_CURRENT);
  out.write<uint8_t>(header[ELF::EI_OSABI]);
  padTo(ELF::EI_NIDENT);
  out.write<uint16_t>(ELF::ET_REL);
  out.write<uint16_t>(machine);
  out.write<uint32_t>(ELF::EV_CURRENT);
  out.write<uint64_t>(0);          // e_entry
  out.write<uint64_t>(0);          // e_phoff
  out.write<uint64_t>(sectionsAt); // e_shoff
  out.write<uint32_t>(flags);
  out.write<uint16_t>(kHeaderBytes);
  out.write<uint16_t>(0);  // e_phentsize
  out.write<uint16_t>(0);  // e_phnum
  out.write<uint16_t>(64); // e_shentsize
  out.write<uint16_t>(6);
  out.write<uint16_t>(5); // .shstrtab

  // The weights.
  padTo(dataAt);
  for (size_t i = 0; i < weights.size(); ++i) {
    padTo(dataAt + offsets[i]);
    os.write(static_cast<const char *>(weights[i].data), weights[i].bytes);
  }
  padTo(dataAt + dataBytes);

  // Symbols: the null one, then tfc_weights_blob (global, hidden).
  padTo(symtabAt);
  os.write_zeros(sizeof(llvm::ELF::Elf64_Sym));
  out.write<uint32_t>(1);
  out.write<uint8_t>(ELF::STB_GLOBAL << 4 | ELF::STT_OBJECT);
  out.write<uint8_t>(ELF::STV_HIDDEN);
  out.write<uint16_t>(1); // .rodata.tfc_weights
  out.write<uint64_t>(0);
  out.write<uint64_t>(dataBytes);
  os.write(strtab, sizeof(strtab));
  os.write(shstrtab, sizeof(shstrtab));

  padTo(sectionsAt);
  for (const SectionHeader &s : sections) {
    out.write<uint32_t>(s.name);
    out.write<uint32_t>(s.type);
    out.write<uint64_t>(s.flags);
    out.write<uint64_t>(0); // sh_addr
    out.write<uint64_t>(s.offset);
    out.write<uint64_t>(s.size);
    out.write<uint32_t>(s.link);
    out.write<uint32_t>(s.info);
    out.write<uint64_t>(s.align);
    out.write<uint64_t>(s.entrySize);
  }
  os.close();
  if (os.has_error()) {
    error = "cannot write '" + path.str() + "': " + os.error().message();
    os.clear_error();
    return false;
  }
  return true;
}
