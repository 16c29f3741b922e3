-- One database per service: no service reads another's.
CREATE DATABASE thidua_registry;
CREATE DATABASE thidua_campaigns;
CREATE DATABASE thidua_scoring;
CREATE DATABASE thidua_awards;
