# cmake -DSOURCE=<file.cpp> -DDOC=<file.md> -P check_quotes.cmake
#
# Fails unless every part of SOURCE between a "// docs: <name>" line and the next "// docs: end"
# line appears in DOC as a C++ code block of its own, verbatim. docs/testing.md quotes
# tests/test_docs_testing_example.cpp this way: the program is compiled and run as a test, and
# this check keeps the page equal to it.

cmake_minimum_required(VERSION 3.20)

file(READ "${SOURCE}" source)
file(READ "${DOC}" doc)
get_filename_component(source_name "${SOURCE}" NAME)
get_filename_component(doc_name "${DOC}" NAME)

set(begin_marker "\n// docs: ")
set(end_marker "// docs: end\n")
set(found 0)
set(failed 0)
string(FIND "${source}" "${begin_marker}" at)
while(at GREATER -1)
  math(EXPR name_at "${at} + 10")  # after "\n// docs: "
  string(SUBSTRING "${source}" ${name_at} -1 rest)
  string(FIND "${rest}" "\n" eol)
  string(SUBSTRING "${rest}" 0 ${eol} name)
  math(EXPR body_at "${eol} + 1")
  string(SUBSTRING "${rest}" ${body_at} -1 rest)
  if(name STREQUAL "end")
    message(SEND_ERROR "${source_name}: '// docs: end' without a section before it")
    math(EXPR failed "${failed} + 1")
    set(source "${rest}")
  else()
    string(FIND "${rest}" "${end_marker}" end_at)
    if(end_at EQUAL -1)
      message(FATAL_ERROR "${source_name}: section '${name}' has no '// docs: end'")
    endif()
    string(SUBSTRING "${rest}" 0 ${end_at} body)
    math(EXPR found "${found} + 1")
    string(FIND "${doc}" "```cpp\n${body}```\n" quoted)
    if(quoted EQUAL -1)
      message(SEND_ERROR "${doc_name} does not quote section '${name}' of ${source_name} as it "
        "is: copy the lines between '// docs: ${name}' and '// docs: end' into its code block")
      math(EXPR failed "${failed} + 1")
    endif()
    string(SUBSTRING "${rest}" ${end_at} -1 source)
  endif()
  string(FIND "${source}" "${begin_marker}" at)
endwhile()

if(found EQUAL 0)
  message(FATAL_ERROR "${source_name} has no '// docs: <name>' section")
endif()
if(failed GREATER 0)
  message(FATAL_ERROR "${failed} of ${found} section(s) of ${source_name} differ from ${doc_name}")
endif()
message(STATUS "${doc_name} quotes all ${found} sections of ${source_name}")
