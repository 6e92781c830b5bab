/**
 * Valid MIG 4.1 F0401 documents in bulk (and a few deliberately broken ones) for tests. The
 * generator lives in src/bench so the compiled benchmarks use the same one.
 */
export {
  banWithPrefix,
  DEFAULT_SELLER_ID,
  f0401Xml,
  f0401XmlWithWrongTotal,
  f0501Xml,
  invoiceNumber,
  isValidBan,
  taiwanDate,
  type F0401Item,
  type F0401Spec,
} from '../../src/mig/F0401Factory.js';
