# Every external dependency, each with the Debian package that provides it, so that a missing
# one is a configure error that says what to install (scripts/deps.sh installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

# kdive_require_pkg(<target name> <pkg-config module> <debian package>) -> PkgConfig::<name>
function(kdive_require_pkg name module debian)
  pkg_check_modules(${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${module} not found (pkg-config): apt-get install ${debian}")
  endif()
  message(STATUS "Found ${module} ${${name}_VERSION}")
endfunction()

kdive_require_pkg(libelf libelf libelf-dev)
kdive_require_pkg(libkdumpfile libkdumpfile libkdumpfile-dev)
kdive_require_pkg(libaddrxlat libaddrxlat libkdumpfile-dev)
kdive_require_pkg(fmt fmt libfmt-dev)
kdive_require_pkg(readline readline libreadline-dev)
kdive_require_pkg(capstone capstone libcapstone-dev)
kdive_require_pkg(zlib zlib zlib1g-dev)

# Debian's libdwarf 20210528 ships no pkg-config file.
find_package(LibDwarf)
if(NOT LibDwarf_FOUND)
  message(FATAL_ERROR "libdwarf not found (libdwarf/libdwarf.h): apt-get install libdwarf-dev")
endif()

find_package(Catch2 2 QUIET)
if(NOT Catch2_FOUND)
  message(FATAL_ERROR "Catch2 v2 not found: apt-get install catch2")
endif()
