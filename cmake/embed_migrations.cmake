# Writes OUTPUT, a C++ file holding every migration in MIGRATIONS (a ;-list of paths) as a raw
# string, so the binary carries its schema. Run at build time by server/store/CMakeLists.txt.
set(body "")
foreach(path IN LISTS MIGRATIONS)
  get_filename_component(name "${path}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  # "0008" would be an invalid octal literal in C++.
  string(REGEX REPLACE "^0+([0-9])" "\\1" version "${version}")
  file(READ "${path}" sql)
  string(FIND "${sql}" ")chorus_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"chorus_sql(${sql})chorus_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from migrations/ by cmake/embed_migrations.cmake. Do not edit.
#include \"store/pg/migrations.hpp\"

namespace chorus::store::pg {

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration> kMigrations{
${body}  };
  return kMigrations;
}

}  // namespace chorus::store::pg
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
