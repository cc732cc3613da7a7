"""Packaging for vkd_nb: metadata comes from settings.ini (nbdev 2), without pkg_resources."""
from configparser import ConfigParser
from pathlib import Path
import setuptools
from packaging.requirements import Requirement

here = Path(__file__).parent
cfg = ConfigParser(delimiters=['='])
cfg.read(here/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

def reqs(key):
    "Requirements listed in settings.ini under `key`, validated by `packaging`."
    return [str(Requirement(r)) for r in cfg.get(key, '').split()]

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[cfg['license']]
readme = here/'README.md'

setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else cfg['description'],
    long_description_content_type='text/markdown',
    author=cfg['author'], author_email=cfg['author_email'], license=lic[0], license_files=['LICENSE'], url=cfg['git_url'],
    keywords=cfg['keywords'], python_requires='>=' + cfg['min_python'],
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])], 'Intended Audience :: ' + cfg['audience'],
                 'License :: ' + lic[1], 'Natural Language :: ' + cfg['language'],
                 'Programming Language :: Python :: 3'],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True, zip_safe=False,
    install_requires=reqs('requirements'), extras_require={'dev': reqs('dev_requirements')},
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
