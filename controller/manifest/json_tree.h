// The document tree of a JSON value already in memory, as parse_yaml
// (yaml_tree.h) builds it from that value's JSON text, without printing the
// text and reading it back: an object the Kubernetes API server sent is a
// parsed JSON value (controller/source/kube_objects.cpp), and yaml-cpp's
// scanner was most of the cost of decoding 10,000 of them.
//
// The same tree, node for node: strings are quoted scalars (tag "!", not
// plain, so "3" stays a string), numbers and booleans plain scalars spelt
// as JSON spells them, null a kNull node, objects maps in key order, arrays
// sequences. Marks are unknown (line 0): the caller names fields by path.
// The limits of parse_yaml apply: nodes, nesting depth and document bytes
// (counted as the compact JSON text's); past one, an error and no document.
#pragma once

#include <nlohmann/json.hpp>

#include "controller/manifest/yaml_tree.h"

namespace wsop::manifest {

YamlParseResult tree_of_json(const nlohmann::json& value, const YamlLimits& limits = {});

}  // namespace wsop::manifest
