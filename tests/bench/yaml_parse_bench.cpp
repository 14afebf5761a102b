// The floor for `wsctl diff`'s speed: the time yaml-cpp alone takes to parse
// the same files (every document, nothing checked), printed in seconds.
//   yaml_parse_bench DIR
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: yaml_parse_bench DIR\n";
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  auto started = std::chrono::steady_clock::now();
  size_t documents = 0;
  try {
    for (const auto& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();  // reading is part of the floor: wsctl reads them too
      documents += YAML::LoadAll(text.str()).size();
    }
  } catch (const YAML::Exception& e) {
    std::cerr << "yaml_parse_bench: " << e.what() << "\n";
    return 1;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "{\"files\": " << files.size() << ", \"documents\": " << documents
            << ", \"seconds\": " << seconds << "}\n";
  return 0;
}
