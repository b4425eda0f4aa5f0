# Modules, leaves first. Pure codecs are their own modules so tests and fuzzers link them alone.
sb_module(core       DIRS src/core          DEPS tl::expected fmt::fmt spdlog::spdlog nlohmann_json::nlohmann_json
                                                 PkgConfig::SODIUM PkgConfig::XCRYPT OpenSSL::Crypto Threads::Threads)
sb_module(config     DIRS src/config        DEPS sb_core tomlplusplus::tomlplusplus)
sb_module(ldif       DIRS src/directory/ldif DEPS sb_core)
sb_module(vcard      DIRS src/mailbox/vcard DEPS sb_core)
sb_module(ber        DIRS src/ldap/ber      DEPS sb_core)
sb_module(ldapproto  DIRS src/ldap/protocol DEPS sb_ber)
sb_module(wbxml      DIRS src/eas/wbxml     DEPS sb_core)
sb_module(store      DIRS src/store src/store/sqlite src/store/postgres
                                            DEPS sb_core PkgConfig::SQLITE3 PkgConfig::LIBPQ)
sb_module(directory  DIRS src/directory     DEPS sb_store sb_ldif)
sb_module(auth       DIRS src/auth          DEPS sb_directory)
sb_module(mailbox    DIRS src/mailbox       DEPS sb_store sb_vcard)
# LDAP address book: the view and search engine (no sockets), then the network sessions.
sb_module(addressbook DIRS src/ldap/addressbook DEPS sb_directory sb_mailbox sb_ldapproto)
sb_module(ldap       DIRS src/ldap/session  DEPS sb_addressbook sb_auth sb_config sb_asio)
# ActiveSync: the pipeline, commands and SyncStates (no sockets), then the HTTPS endpoint.
sb_module(eas        DIRS src/eas src/eas/commands src/eas/sync src/eas/provision
                                            DEPS sb_wbxml sb_mailbox sb_auth sb_directory)
sb_module(eashttp    DIRS src/eas/http      DEPS sb_eas sb_config sb_asio)
# Company directory (LDAP / Active Directory) sync and pass-through login.
sb_module(dirsync    DIRS src/dirsync       DEPS sb_directory sb_auth PkgConfig::LDAP)
# Mail (Dovecot + Postfix): the wire codecs alone, the bridges' logic (no sockets), the listeners.
sb_module(mailwire   DIRS src/mail/wire     DEPS sb_core)
sb_module(mail       DIRS src/mail/auth src/mail/lookup src/mail/push src/mail/setup
                                            DEPS sb_mailwire sb_auth sb_directory)
sb_module(mailnet    DIRS src/mail/net      DEPS sb_mail sb_config sb_asio)
sb_module(admin      DIRS src/admin src/admin/commands
                                            DEPS sb_directory sb_auth sb_mailbox sb_config sb_addressbook sb_dirsync sb_eas sb_mail)
sb_module(server     DIRS src/server        DEPS sb_admin sb_ldap sb_eashttp sb_mailnet sb_asio)
sb_module(cli        DIRS src/cli           DEPS sb_server sb_admin sb_config)
sb_module(testsupport DIRS tests/support    DEPS sb_core GTest::gtest)
target_include_directories(sb_testsupport PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)

add_executable(switchboard app/main.cpp)
target_link_libraries(switchboard PRIVATE sb_server sb_cli)

get_property(modules GLOBAL PROPERTY SB_MODULES)
foreach(m IN LISTS modules)
  if(NOT m STREQUAL "testsupport")
    sb_module_tests(${m})
  endif()
endforeach()

# Integration tests: each tests/integration/test_*.py runs against the real binary.
find_program(SYSTEM_PYTHON /usr/bin/python3 NO_DEFAULT_PATH)
file(GLOB itests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/integration/test_*.py)
foreach(t IN LISTS itests)
  get_filename_component(name ${t} NAME_WE)
  add_test(NAME integration_${name} COMMAND /usr/bin/python3 -m unittest -v ${name}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${name} PROPERTIES LABELS integration TIMEOUT 1200
    ENVIRONMENT "SWITCHBOARD_BIN=$<TARGET_FILE:switchboard>;SB_SOURCE_DIR=${PROJECT_SOURCE_DIR};SB_BUILD_DIR=${PROJECT_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1")
endforeach()

if(SWITCHBOARD_BENCH AND benchmark_FOUND)
  file(GLOB benches CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/*.cpp)
  # bench/<module>_<what>.cpp links only sb_<module>; other benches link the whole server.
  foreach(b IN LISTS benches)
    get_filename_component(name ${b} NAME_WE)
    string(REGEX REPLACE "_.*" "" prefix ${name})
    add_executable(bench_${name} ${b})
    if(TARGET sb_${prefix})
      target_link_libraries(bench_${name} PRIVATE sb_${prefix} benchmark::benchmark)
    else()
      target_link_libraries(bench_${name} PRIVATE sb_server benchmark::benchmark)
    endif()
    set_target_properties(bench_${name} PROPERTIES EXCLUDE_FROM_ALL ON)
  endforeach()
  # The LDAP load generator is a libldap client, like the clients it stands for.
  target_link_libraries(bench_ldap_load PRIVATE PkgConfig::LDAP)
endif()
# The mailbox tests make their accounts through the directory (the mailbox itself does not use it).
target_link_libraries(unit_mailbox PRIVATE sb_directory)
# Differential tests against the reference LDAP implementation (liblber/libldap).
foreach(t unit_ber unit_ldapproto)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE PkgConfig::LDAP)
  endif()
endforeach()
