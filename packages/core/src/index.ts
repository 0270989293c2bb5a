export { ChainstreamError, isChainstreamError, toChainstreamError } from './errors/chainstream-error.js'
