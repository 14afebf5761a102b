#include "tests/common/http/tls_files.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace wsop::simtest {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool write_pem(const std::string& path, EVP_PKEY* key, X509* cert) {
  std::unique_ptr<std::FILE, Deleter> f(std::fopen(path.c_str(), "w"));
  if (!f) return false;
  if (key) return PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return PEM_write_X509(f.get(), cert) == 1;
}

}  // namespace

TlsFiles::TlsFiles() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wsop-tls-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return;
  dir_ = pattern;
  cert_ = dir_ + "/cert.pem";
  key_ = dir_ + "/key.pem";
  std::unique_ptr<EVP_PKEY, Deleter> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, Deleter> cert(X509_new());
  if (!key || !cert) return;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::unique_ptr<X509_EXTENSION, Deleter> san(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "IP:127.0.0.1"));
  if (san) X509_add_ext(cert.get(), san.get(), -1);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return;
  ok_ = write_pem(key_, key.get(), nullptr) && write_pem(cert_, nullptr, cert.get());
}

TlsFiles::~TlsFiles() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

}  // namespace wsop::simtest
