# Runs cluster_mpi_check under mpirun: cmake -DMPIRUN=… -DPROGRAM=… -DRANKS=… -P this file.
# Without MPI or mpirun the test is skipped, except in CI (CI=true), where it fails.
if(NOT PROGRAM OR NOT MPIRUN OR NOT EXISTS "${MPIRUN}")
  if(NOT PROGRAM)
    set(reason "CMake found no MPI, so cluster_mpi_check was not built")
  else()
    set(reason "mpirun was not found (MPIRUN='${MPIRUN}')")
  endif()
  if("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "cluster_mpi_check: FAILED: ${reason}; CI must install openmpi-bin and "
                        "libopenmpi-dev (scripts/bootstrap)")
  endif()
  message("cluster_mpi_check: SKIPPED: ${reason}")
  return()
endif()
if(NOT EXISTS "${PROGRAM}")
  message(FATAL_ERROR "cluster_mpi_check: FAILED: ${PROGRAM} is not built")
endif()
execute_process(
  COMMAND "${MPIRUN}" --oversubscribe -np ${RANKS} "${PROGRAM}"
  TIMEOUT 240
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cluster_mpi_check: FAILED: mpirun -np ${RANKS} exited with '${result}'")
endif()
