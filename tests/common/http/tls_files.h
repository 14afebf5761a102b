// A throw-away self-signed certificate and key (PEM files in a temporary
// directory, removed on destruction) for the TLS tests.
#pragma once

#include <string>

namespace wsop::simtest {

class TlsFiles {
 public:
  TlsFiles();  // generates an EC P-256 key and a certificate for 127.0.0.1
  ~TlsFiles();
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  bool ok() const { return ok_; }
  const std::string& cert_file() const { return cert_; }
  const std::string& key_file() const { return key_; }

 private:
  std::string dir_, cert_, key_;
  bool ok_ = false;
};

}  // namespace wsop::simtest
